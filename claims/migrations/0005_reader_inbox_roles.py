"""Give the newsroom's roles the readers' inbox: researchers work claims sent by readers into drafts;
editors and publishers also answer complaints, correction requests and replies."""

import importlib

from django.db import migrations

RESEARCHER = ["claims.view_claimtip", "claims.change_claimtip"]
EDITOR = [*RESEARCHER, "claims.view_complaint", "claims.change_complaint"]
INBOX = {"Researcher": RESEARCHER, "Editor": EDITOR, "Publisher": EDITOR}


def grant_permissions(apps, roles_and_codes):
    """Give each role (a group, created if missing) these permissions, creating new models' ones first."""
    roles = importlib.import_module("claims.migrations.0003_newsroom_roles")
    for app_config in apps.get_app_configs():  # the new models' permissions, as 0003 does
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        roles.create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in roles_and_codes.items():
        group, _created = Group.objects.get_or_create(name=name)
        for code in codes:
            app_label, codename = code.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def revoke_permissions(apps, roles_and_codes):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=roles_and_codes):
        for code in roles_and_codes[group.name]:
            app_label, codename = code.split(".")
            group.permissions.remove(*Permission.objects.filter(content_type__app_label=app_label, codename=codename))


def grant_inbox(apps, schema_editor):
    grant_permissions(apps, INBOX)


def revoke_inbox(apps, schema_editor):
    revoke_permissions(apps, INBOX)


class Migration(migrations.Migration):
    dependencies = [("claims", "0004_reader_tips_and_complaints"), ("claims", "0003_newsroom_roles")]

    operations = [migrations.RunPython(grant_inbox, revoke_inbox)]
