"""Terraform plan JSON (placeholder until the plan loader lands)."""


def load(document, world, pending, config):  # pragma: no cover
    raise NotImplementedError
