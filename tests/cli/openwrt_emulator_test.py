#!/usr/bin/env python3
"""Registers the OpenWrt emulator's own tests with ctest (tests/emulators/test_openwrt_*.py).
127.0.0.1 only; needs no binary and no root."""

import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
EMULATORS = os.path.normpath(os.path.join(HERE, "..", "emulators"))

if __name__ == "__main__":
    sys.path.insert(0, EMULATORS)
    suite = unittest.defaultTestLoader.discover(EMULATORS, pattern="test_openwrt_*.py")
    import ci_guard  # a skip fails under CI
    sys.exit(ci_guard.run_suite(suite, verbosity=1))
