"""Give the newsroom's roles links between claims and the duplicate suggestions: everyone who writes
claims links them and decides whether a suggested duplicate is one."""

import importlib

from django.db import migrations

CODES = [
    "claims.view_claimlink",
    "claims.add_claimlink",
    "claims.change_claimlink",
    "claims.delete_claimlink",
    "claims.view_duplicatesuggestion",
    "claims.change_duplicatesuggestion",
]
ROLES = ["Researcher", "Editor", "Publisher"]


def grant(apps, schema_editor):
    roles = importlib.import_module("claims.migrations.0003_newsroom_roles")
    for app_config in apps.get_app_configs():  # the new models' permissions, as 0003 and 0005 do
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        roles.create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name in ROLES:
        group, _created = Group.objects.get_or_create(name=name)
        for code in CODES:
            app_label, codename = code.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    codes = {code.split(".")[1] for code in CODES}
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLES):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="claims", codename__in=codes))


class Migration(migrations.Migration):
    dependencies = [("claims", "0008_claim_links_duplicate_suggestions"), ("claims", "0005_reader_inbox_roles")]

    operations = [migrations.RunPython(grant, revoke)]
