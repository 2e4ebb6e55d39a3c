"""The one error model: loaders raise these, only cli.py turns them into exit code 2."""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    OK = 0
    FINDINGS = 1
    ERROR = 2


class TfcheckError(Exception):
    """A problem with something the user gave us, reported as one paragraph naming it."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


class InputError(TfcheckError):
    """A plan, state, HCL directory or usage file that cannot be read as such."""


class PolicyError(TfcheckError):
    """A policy file that fails its schema or holds a bad JMESPath expression."""


class ConfigError(TfcheckError):
    """A `.tfcheck.yml` (or other settings file) that fails its schema."""
