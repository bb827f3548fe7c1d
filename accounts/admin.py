from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from accounts.forms import AdminLoginForm
from accounts.models import AccountEvent, Establishment, Invitation, Region, User
from core.admin import ReadOnlyAdmin

# The admin's sign-in normalises the address like /connexion/ (see accounts/signin.py).
admin.site.login_form = AdminLoginForm

# django-dsfr only provides the design system's assets and tags here: its site settings model is unused
# (the layout is in templates/base.html), so it stays out of the admin to avoid a misleading screen.
try:
    from dsfr.models import DsfrConfig

    admin.site.unregister(DsfrConfig)
except (ImportError, admin.exceptions.NotRegistered):
    pass


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "authority_short")
    search_fields = ("name", "code", "authority_short")
    list_filter = ("kind",)


@admin.register(Establishment)
class EstablishmentAdmin(admin.ModelAdmin):
    list_display = ("uai", "name", "commune", "region", "status", "network", "is_open")
    list_filter = ("region", "status", "network", "is_open")
    search_fields = ("uai", "name", "commune")
    list_select_related = ("region",)


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name", "role")


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    add_form = UserCreationForm
    form = UserEditForm
    ordering = ("email",)
    list_display = ("email", "full_name", "role", "region", "is_active", "last_login")
    list_filter = ("role", "region", "is_active", "is_staff")
    search_fields = ("email", "full_name")
    filter_horizontal = ("establishments", "groups", "user_permissions")
    autocomplete_fields = ("region",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Identité", {"fields": ("full_name", "phone")}),
        ("Rôle et périmètre", {"fields": ("role", "region", "establishments")}),
        (
            "Droits techniques",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "role", "usable_password", "password1", "password2"),
            },
        ),
    )


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ("email", "role", "establishment", "region", "invited_by", "created_at", "expires_at", "accepted_at")
    list_filter = ("role", "region")
    search_fields = ("email", "establishment__name", "establishment__uai")
    exclude = ("token_hash",)


@admin.register(AccountEvent)
class AccountEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "action", "email", "actor", "establishment", "region")
    list_filter = ("action",)
    search_fields = ("email",)
