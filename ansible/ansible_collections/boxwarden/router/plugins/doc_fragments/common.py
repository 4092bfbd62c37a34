# -*- coding: utf-8 -*-
# The options every boxwarden.router module takes (plugins/module_utils/boxwarden.py).

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options:
  gateway:
    description:
      - The box's address (C(HOST) or C(HOST:PORT)), passed as C(--gateway).
      - When not given, boxwarden finds the default gateway of the site machine.
    type: str
  vendor:
    description:
      - The vendor plugin to use (C(upnp-igd), C(livebox), C(freebox); C(boxwarden vendors) lists them),
        passed as C(--vendor). When not given, boxwarden asks the box.
    type: str
  password_file:
    description:
      - Path, on the site machine, of a file (mode 0600) holding the box's admin password,
        passed as C(--password-file). The password itself never appears on a command line.
    type: path
  profile:
    description:
      - The hardening profile, a name (C(home), C(small-office), C(medical-practice), C(strict))
        or the path of a C(.profile) file on the site machine; passed as C(--profile).
    type: str
  site:
    description:
      - The site's label (1 to 64 printable characters), written into every report as C(site);
        passed as C(--site).
    type: str
  state_dir:
    description:
      - Where boxwarden keeps its backups, locks and tokens on the site machine (C(--state-dir)).
        C(boxwarden.router.rollback) needs the directory the fix used.
    type: path
  timeout:
    description:
      - The time allowed for the box, in seconds (C(--timeout)).
    type: int
requirements:
  - boxwarden (the C(boxwarden) package; role C(boxwarden.router.install)) on the PATH of the site machine
notes:
  - boxwarden runs with C(--format json --no-input), so it never prompts; a box that needs a
    password and has none fails at once with exit 4 instead of waiting.
'''

    FAIL_ON = r'''
options:
  fail_on:
    description:
      - The lowest severity that counts (C(--fail-on)); boxwarden's default is C(high).
    type: str
    choices: [info, low, medium, high, critical]
'''
