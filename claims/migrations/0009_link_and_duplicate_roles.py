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
ROLES = {"Researcher": CODES, "Editor": CODES, "Publisher": CODES}


def grant(apps, schema_editor):
    importlib.import_module("claims.migrations.0005_reader_inbox_roles").grant_permissions(apps, ROLES)


def revoke(apps, schema_editor):
    importlib.import_module("claims.migrations.0005_reader_inbox_roles").revoke_permissions(apps, ROLES)


class Migration(migrations.Migration):
    dependencies = [("claims", "0008_claim_links_duplicate_suggestions"), ("claims", "0005_reader_inbox_roles")]

    operations = [migrations.RunPython(grant, revoke)]
