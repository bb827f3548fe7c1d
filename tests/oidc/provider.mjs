// A real OpenID Connect provider (npm oidc-provider) standing in for ProConnect in the sign-in tests, on
// loopback only. Like ProConnect, it signs the ID token and the userinfo (application/jwt) with RS256.
// Any login is accepted on its development login page; the login typed is the e-mail address returned.
//   node tests/oidc/provider.mjs <port> <redirect_uri> <post_logout_redirect_uri>
import Provider from "oidc-provider";

const [port, redirectUri, postLogoutUri] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: "hse-test",
      client_secret: "secret-de-test-proconnect",
      redirect_uris: [redirectUri],
      post_logout_redirect_uris: [postLogoutUri],
      response_types: ["code"],
      grant_types: ["authorization_code"],
      token_endpoint_auth_method: "client_secret_post",
      id_token_signed_response_alg: "RS256",
      userinfo_signed_response_alg: "RS256",
    },
  ],
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    given_name: ["given_name"],
    usual_name: ["usual_name"],
  },
  scopes: ["openid", "email", "given_name", "usual_name"],
  acrValues: ["eidas1"],
  features: {
    devInteractions: { enabled: true },
    jwtUserinfo: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  pkce: { required: () => false },
  cookies: { keys: ["cle-de-test-uniquement"] },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: id, email_verified: true, given_name: "Agent", usual_name: "Testeur" };
      },
    };
  },
});
provider.proxy = false;

provider.listen(Number(port), "127.0.0.1", () => {
  console.log(`ready ${issuer}`);
});
