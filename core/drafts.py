"""One controller for the long forms a person fills in several sittings and then deposits (the Annexe 1 and
the usage report). Its promises, kept the same way for both:

- every save stores what is valid and keeps the rest on the page with a French message next to the field;
- a form posted after the session expired is given back after sign-in (``core.stash``);
- a form opened in two tabs (or by two people): when the other save touched other fields, both are kept (the
  form carries a signed digest of the values it was opened with, field by field); when both changed the same
  field, nothing is overwritten silently: each such field says what is now stored, next to what was typed;
- a form that can no longer be edited (deposited or withdrawn meanwhile): what was typed is shown again,
  read-only, with the reason;
- "deposit" saves first, then deposits; a deposit refused (incomplete, too late) says why, field by field.

A subclass says how to find its object, build its form, and which services save and deposit it.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from core.access import enforce
from core.errors import DomainError, Incomplete
from core.params import whole_number
from core.stash import TOKEN_FIELD, edit_token, pop_stashed_post
from core.versioning import DIGESTS_FIELD, StaleError, sign_digests, unsign_digests, value_digest


class DraftFormView(View):
    template_name: str
    # Texts
    deposit_refused = "la demande n'a pas été déposée"
    deposited_message = ""

    # --- What a subclass provides ----------------------------------------------------------------------------
    def get_object(self, request, pk):  # pragma: no cover - abstract
        raise NotImplementedError

    def permission(self, user, obj):  # -> (allowed, reason)
        raise NotImplementedError

    def is_owner(self, user, obj) -> bool:
        """May this person type into this form at all (then a refused post is shown back to them)?"""
        raise NotImplementedError

    def make_form(self, obj, data=None):
        raise NotImplementedError

    def save(self, user, obj, values: dict, version: int):
        """The service that stores the valid values (raises ``StaleError`` or ``DomainError``)."""
        raise NotImplementedError

    def deposit(self, user, obj, version: int):
        """The service that deposits (raises ``Incomplete`` or ``DomainError``)."""
        raise NotImplementedError

    def saved_url(self, obj) -> str:
        raise NotImplementedError

    def deposited_url(self, obj) -> str:
        raise NotImplementedError

    def extra_context(self, obj, form) -> dict:
        return {}

    def read_only_response(self, request, obj):
        """What a person who may not edit (but may see) gets on GET; ``None`` enforces the refusal."""
        return None

    # --- The flow --------------------------------------------------------------------------------------------
    def render_form(self, request, obj, form, version, status=200, read_only=False):
        if read_only:
            form.helper.inputs = []
        context = {
            "form": form,
            "version": version,
            "read_only": read_only,
            "edit_token_field": TOKEN_FIELD,
            "edit_token": "" if read_only else edit_token(request),
            "digests_field": DIGESTS_FIELD,
            "digests": "" if read_only or not self.editable_fields else sign_digests(self.digests(obj)),
            **self.extra_context(obj, form),
        }
        return render(request, self.template_name, context, status=status)

    def refused_post(self, request, obj, reason):
        """The object can no longer be edited (deposited or withdrawn in another tab): what was typed is shown
        again, read-only, so that nothing is lost, with the reason."""
        messages.error(
            request,
            f"{reason} Votre saisie n'a pas été enregistrée ; elle reste affichée ci-dessous pour que vous "
            "puissiez la copier.",
        )
        form = self.make_form(obj, request.POST)
        form.is_valid()
        return self.render_form(request, obj, form, obj.version, status=409, read_only=True)

    @staticmethod
    def posted_version(data, obj) -> int:
        version = whole_number(data.get("version", ""))
        return obj.version if version is None else version

    # --- Two tabs, two people: which fields each side changed --------------------------------------------------
    editable_fields: tuple = ()  # the model fields the form edits

    def form_field_of(self, model_field: str) -> str:
        """The form field showing ``model_field`` (where a conflict on it is said)."""
        return model_field

    def describe(self, obj, model_field: str) -> str:
        value = getattr(obj, model_field)
        if isinstance(value, bool):
            return "coché" if value else "non coché"
        text = "" if value is None else str(value)
        return f"« {text[:200]}{'…' if len(text) > 200 else ''} »" if text else "(vide)"

    def digests(self, obj) -> dict:
        return {name: value_digest(getattr(obj, name)) for name in self.editable_fields}

    def merge(self, request, form, stale):
        """The object changed since the form was opened. Keep both sides when they touched different fields;
        otherwise say, on each field both changed, what is stored now. Returns the saved object, or None."""
        base = unsign_digests(request.POST.get(DIGESTS_FIELD, ""))
        current = stale.current
        if base is None or current is None:
            return None
        mine = {name: value for name, value in form.valid_values().items() if value_digest(value) != base.get(name)}
        theirs = {name for name in self.editable_fields if value_digest(getattr(current, name)) != base.get(name)}
        clashing = sorted(set(mine) & theirs)
        if not clashing:
            try:
                return self.save(request.user, current, mine, current.version)
            except StaleError:
                return None
        who = stale.who.full_name if stale.who else "quelqu'un d'autre"
        when = f"{timezone.localtime(stale.when):%H:%M}" if stale.when else ""
        for name in clashing:
            field = self.form_field_of(name)
            form.add_error(
                field if field in form.fields else None,
                f"Modifié entre-temps par {who}{' à ' + when if when else ''} : la version enregistrée est "
                f"{self.describe(current, name)}. Votre saisie est ci-dessous : enregistrez pour la garder, ou "
                "reprenez la version enregistrée.",
            )
        return None

    def get(self, request, pk):
        obj = self.get_object(request, pk)
        allowed, reason = self.permission(request.user, obj)
        if not allowed:
            shown = self.read_only_response(request, obj)
            if shown is not None:
                return shown
            enforce((allowed, reason))
        stashed = pop_stashed_post(request)
        if stashed is not None:
            messages.warning(
                request,
                "Voici ce que vous aviez saisi avant l'expiration de votre session : ce n'est pas encore "
                "enregistré. Vérifiez puis enregistrez.",
            )
            form = self.make_form(obj, stashed)
            form.is_valid()
            return self.render_form(request, obj, form, self.posted_version(stashed, obj))
        return self.render_form(request, obj, self.make_form(obj), obj.version)

    def post(self, request, pk):
        obj = self.get_object(request, pk)
        allowed, reason = self.permission(request.user, obj)
        if not allowed:
            if self.is_owner(request.user, obj):
                return self.refused_post(request, obj, reason)
            enforce((allowed, reason))
        form = self.make_form(obj, request.POST)
        valid = form.is_valid()
        merged = False
        try:
            obj = self.save(request.user, obj, form.valid_values(), self.posted_version(request.POST, obj))
        except StaleError as stale:
            obj = self.merge(request, form, stale)
            if obj is None:
                messages.error(request, str(stale))
                return self.render_form(request, stale.current, form, stale.current.version, status=409)
            merged = True
        except DomainError as error:
            return self.refused_post(request, obj, str(error))
        saved_at = f"{timezone.localtime(obj.updated_at):%H:%M}"
        if merged:
            messages.info(
                request,
                "Une autre modification avait été enregistrée entre-temps sur d'autres champs : elle est conservée "
                "avec la vôtre.",
            )
        depositing = "submit" in request.POST
        if not valid:
            messages.warning(
                request,
                f"Brouillon enregistré à {saved_at}, sauf les champs signalés en erreur : corrigez-les puis "
                "enregistrez de nouveau." + (f" {self.deposit_refused.capitalize()}." if depositing else ""),
            )
            return self.render_form(request, obj, form, obj.version, status=422)
        if not depositing:
            messages.success(request, f"Brouillon enregistré à {saved_at}.")
            return redirect(self.saved_url(obj))
        try:
            obj = self.deposit(request.user, obj, obj.version)
        except Incomplete as incomplete:
            for field, message in incomplete.errors.items():
                form.add_error(None if field == "__all__" else field, message)
            messages.warning(
                request, f"Brouillon enregistré à {saved_at}. {incomplete} Les points sont signalés ci-dessous."
            )
            return self.render_form(request, obj, form, obj.version, status=422)
        except DomainError as error:
            messages.error(request, f"Brouillon enregistré à {saved_at}, mais {self.deposit_refused}. {error}")
            return self.render_form(request, obj, form, obj.version, status=422)
        if self.deposited_message:
            messages.success(request, self.deposited_message)
        return redirect(self.deposited_url(obj))
