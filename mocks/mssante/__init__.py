"""Simulated MSSanté operator: SMTP submission and IMAP4rev1 on loopback, a test directory."""

from __future__ import annotations

from mocks.mssante.app import MssSimulator
from mocks.mssante.directory import Account, Directory

__all__ = ["Account", "Directory", "MssSimulator"]
