#!/usr/bin/python
# -*- coding: utf-8 -*-
# boxwarden.router.rollback: put back what boxwarden fix changed on a site's box.

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: rollback
short_description: Put back the settings a boxwarden fix changed on a site's Internet box
version_added: "0.1.0"
description:
  - Runs C(boxwarden rollback --yes) on the site machine. Without O(backup), every unfinished
    fix of the box and the newest completed one are restored, newest first; with it, exactly
    that backup.
  - The backups are those of O(state_dir) (the directory the fix used).
  - The task is C(changed) only when settings were put back; a box that already has the saved
    settings, or nothing left to restore, gives C(changed=false).
  - In check mode it runs C(boxwarden rollback --dry-run), which sends nothing to the box.
author:
  - boxwarden maintainers (@boxwarden)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - boxwarden.router.common
attributes:
  check_mode:
    support: full
    details: Runs C(boxwarden rollback --dry-run), which sends no change to the box.
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  backup:
    description:
      - A backup file name as C(boxwarden backups) lists it, or a path; exactly that backup is restored.
    type: str
'''

EXAMPLES = r'''
- name: Undo the last fix of the practice's box
  boxwarden.router.rollback:
    state_dir: /var/lib/boxwarden
    password_file: /etc/boxwarden/box.pass
'''

RETURN = r'''
report:
  description:
    - boxwarden's JSON document, parsed (C(outcome), C(restore), C(restored), C(remaining),
      C(steps)), or boxwarden's error document when the task failed.
  returned: when boxwarden printed a JSON document
  type: dict
exit_code:
  description:
    - boxwarden's exit status. 0 restored (or nothing to restore); anything else failed the task
      (5 a restore failed and was undone, 6 that undo failed too, 2 usage or a damaged backup,
      3 unreachable, 4 authentication, 70 a bug, 75 busy).
  returned: always
  type: int
  sample: 0
cmd:
  description: The command line that was run (it holds no secret).
  returned: always
  type: list
  elements: str
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.boxwarden.router.plugins.module_utils.boxwarden import (
    EXIT_OK, EXIT_ROLLBACK_FAILED, argument_spec, error_message, run)


def main():
    spec = argument_spec(fail_on=False, backup=dict(type='str'))
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    rc, document, stderr, argv = run(module, 'rollback', dry_run=module.check_mode, yes=not module.check_mode,
                                     positional=module.params['backup'])
    outcome = document.get('outcome') if isinstance(document, dict) else None
    if module.check_mode:
        restore = document.get('restore') if isinstance(document, dict) else None
        changed = outcome == 'dry-run' and bool(restore)
    else:
        changed = outcome == 'restored' or rc == EXIT_ROLLBACK_FAILED
    result = dict(changed=changed, report=document, exit_code=rc, cmd=argv)
    if rc != EXIT_OK:
        module.fail_json(msg=error_message(document, rc, stderr), **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
