#!/usr/bin/env python3
"""boxwarden against the Livebox emulator on 127.0.0.1, with faults: each write of the
doctor's plan fails (error reply, reset before or after the change, a hang). The box must
end fully fixed or exactly as before, exit 5, the backup kept; a later fix completes.
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import livebox_cli_test as base  # noqa: E402

WRITES = base.WRITES


@unittest.skipUnless(base.BOXWARDEN and os.access(base.BOXWARDEN, os.X_OK), "BOXWARDEN must name the built binary")
class LiveboxCliFaults(base.LiveboxCliBase):
    def test_every_write_failing_is_all_or_nothing(self):
        before = self.emu.state()
        ran = 0
        for call in WRITES:
            for kind in ("error", "reset", "reset-after"):
                with self.subTest(call=call, kind=kind):
                    ran += 1
                    self.emu.clear()
                    self.emu.fail(call, kind, 1)
                    p = self.bw("--yes", "fix")
                    after = self.emu.state()
                    sys.stderr.write("  fault %s %s: exit %d\n" % (call, kind, p.returncode))
                    # Deterministic (the emulator): every fault undoes the fix (5), except an
                    # error reply to UPnP-IGD:set, after which the re-read finds UPnP off: fixed.
                    expected = base.FIXED_EXIT if (call, kind) == ("UPnP-IGD:set", "error") else 5
                    self.assertEqual(p.returncode, expected, p.stdout + p.stderr)
                    if p.returncode == 5:
                        self.assertEqual(after, before, "%s %s: not back as before" % (call, kind))
                    else:
                        self.assertTrue(self.fixed(after))
                    self.assertTrue(self.backups())
                    self.assert_no_bulk_delete()
                    if p.returncode == base.FIXED_EXIT:
                        self.assertEqual(self.bw("--yes", "rollback").returncode, 0)
                        self.assertEqual(self.emu.state(), before)
        self.assertEqual(ran, 12, "4 write calls x 3 faults")  # a matrix with no case must not pass
        # A run after the faults completes.
        self.emu.clear()
        p = self.bw("--yes", "fix")
        self.assertEqual(p.returncode, base.FIXED_EXIT, p.stdout + p.stderr)
        self.assertTrue(self.fixed(self.emu.state()))

    def test_hang_is_all_or_nothing(self):
        before = self.emu.state()
        self.emu.fail("Firewall:deleteDMZ", "hang", 1)
        p = self.bw("--yes", "fix")
        self.assertEqual(p.returncode, 5, p.stdout + p.stderr)
        self.assertEqual(self.emu.state(), before)
        p = self.bw("--yes", "fix")
        self.assertEqual(p.returncode, base.FIXED_EXIT, p.stdout + p.stderr)



if __name__ == "__main__":
    import ci_guard  # a skip fails under CI
    ci_guard.main()
