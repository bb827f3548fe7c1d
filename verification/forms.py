from django import forms

from core import verification

MAX_UPLOAD = 20 * 1024 * 1024  # the longest national document weighs a few megabytes


class CheckForm(forms.Form):
    code = forms.CharField(
        label="Code de vérification",
        help_text="8 caractères imprimés sur le document à côté du code QR, par exemple 7K3M-Q9XD.",
        required=False,
        max_length=20,
    )
    document = forms.FileField(
        label="Ou le fichier PDF reçu",
        help_text="Le fichier est comparé octet par octet au document émis (empreinte SHA-256), puis oublié : il "
        "n'est pas conservé. Taille maximale : 20 Mo.",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_code(self):
        text = self.cleaned_data["code"].strip()
        if not text:
            return None
        code = verification.normalize(text)
        if code is None:
            raise forms.ValidationError(
                "Un code de vérification compte 8 lettres ou chiffres, par exemple 7K3M-Q9XD : vérifiez ce qui a été "
                "saisi."
            )
        return code

    def clean_document(self):
        upload = self.cleaned_data.get("document")
        if not upload:
            return None
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError("Le fichier dépasse 20 Mo : ce n'est pas un document émis par le service.")
        upload.seek(0)
        if upload.read(5) != b"%PDF-":
            raise forms.ValidationError("Ce fichier n'est pas un PDF. Choisissez le document PDF reçu.")
        upload.seek(0)
        return upload

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("code") and not cleaned.get("document"):
            raise forms.ValidationError("Saisissez le code de vérification du document ou choisissez son fichier PDF.")
        return cleaned
