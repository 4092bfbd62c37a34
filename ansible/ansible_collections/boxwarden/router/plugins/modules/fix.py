#!/usr/bin/python
# -*- coding: utf-8 -*-
# boxwarden.router.fix: close what the profile forbids on a site's box.

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: fix
short_description: Close what the profile forbids on a site's Internet box with boxwarden
version_added: "0.1.0"
description:
  - Runs C(boxwarden fix --yes) on the site machine. boxwarden reads the box, saves a backup
    (in O(state_dir)), makes the changes the profile asks for and reads the box again to
    check each one; a change that fails is undone.
  - In check mode it runs C(boxwarden plan) instead, which changes nothing, and reports
    C(changed) when the fix would change the box.
  - The task is C(changed) only when the box was changed; a second run on a fixed box
    reports C(changed=false).
  - Steps that need a person (C(manual) in the plan) do not fail the task; they stay in
    RV(report) and make O(exit_code) 1.
author:
  - boxwarden maintainers (@boxwarden)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - boxwarden.router.common
  - boxwarden.router.common.fail_on
attributes:
  check_mode:
    support: full
    details: Runs C(boxwarden plan), which sends no change to the box.
  diff_mode:
    support: full
    details:
      - The box's state (C(state) of the report) before and after the fix; after a real fix
        the box is read again (C(boxwarden audit)) for the state after.
      - In check mode the C(after) side is not known; the plan's steps are given instead.
  platform:
    platforms: posix
'''

EXAMPLES = r'''
- name: Close what a medical practice must not expose
  boxwarden.router.fix:
    profile: medical-practice
    site: "{{ inventory_hostname }}"
    password_file: /etc/boxwarden/box.pass
    state_dir: /var/lib/boxwarden
  register: fixed

- name: What would change (nothing is sent to the box)
  boxwarden.router.fix:
    profile: medical-practice
  check_mode: true
  diff: true
'''

RETURN = r'''
report:
  description:
    - boxwarden's JSON document, parsed; the fix report (its C(fix) holds C(outcome), C(steps),
      C(backup)), in check mode the plan report, or boxwarden's error document when the task
      failed.
  returned: when boxwarden printed a JSON document
  type: dict
exit_code:
  description:
    - boxwarden's exit status. 0 nothing at or above O(fail_on) remains, 1 some remains (a step
      to do by hand); anything else failed the task (5 a change failed and was undone, 6 the
      undo failed too, 2 usage, 3 unreachable, 4 authentication, 70 a bug, 75 busy).
  returned: always
  type: int
  sample: 0
backup:
  description: The path of the backup the fix saved on the site machine (for C(boxwarden.router.rollback)).
  returned: when the fix changed the box
  type: str
cmd:
  description: The command line that was run (it holds no secret).
  returned: always
  type: list
  elements: str
'''

import json

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.boxwarden.router.plugins.module_utils.boxwarden import (
    EXIT_FINDINGS, EXIT_OK, EXIT_ROLLBACK_FAILED, argument_spec, error_message, run)


def automatic_steps(plan_report):
    """The plan's steps boxwarden would make itself (not the manual ones)."""
    steps = plan_report.get('plan') if isinstance(plan_report, dict) else None
    if not isinstance(steps, list):
        return []
    return [s for s in steps if isinstance(s, dict) and s.get('automatic') and s.get('action') != 'manual']


def state_text(report):
    state = report.get('state') if isinstance(report, dict) else None
    return json.dumps(state, indent=2, sort_keys=True) + '\n'


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    if module.check_mode:
        rc, document, stderr, argv = run(module, 'plan')
        result = dict(report=document, exit_code=rc, cmd=argv)
        if rc not in (EXIT_OK, EXIT_FINDINGS):
            module.fail_json(msg=error_message(document, rc, stderr), changed=False, **result)
        steps = automatic_steps(document)
        result['changed'] = bool(steps)
        if module._diff:
            result['diff'] = dict(before=state_text(document), before_header='box state',
                                  prepared=''.join('%s %s\n' % (s.get('action'), s.get('target')) for s in steps))
        module.exit_json(**result)

    rc, document, stderr, argv = run(module, 'fix', yes=True)
    fix = document.get('fix') if isinstance(document, dict) else None
    outcome = fix.get('outcome') if isinstance(fix, dict) else None
    # 'applied': the box was changed and checked. A failed fix was undone (exit 5: unchanged),
    # unless the undo failed too (exit 6: the box may be half changed).
    changed = outcome == 'applied' or rc == EXIT_ROLLBACK_FAILED
    result = dict(changed=changed, report=document, exit_code=rc, cmd=argv)
    if changed and isinstance(fix, dict) and fix.get('backup'):
        result['backup'] = fix['backup']
    if rc not in (EXIT_OK, EXIT_FINDINGS):
        module.fail_json(msg=error_message(document, rc, stderr), **result)
    if module._diff:
        after = document
        if changed:
            audit_rc, audit_document, audit_stderr, unused = run(module, 'audit')
            if audit_rc not in (EXIT_OK, EXIT_FINDINGS):
                module.fail_json(msg='the fix was made, but reading the box again failed: ' +
                                 error_message(audit_document, audit_rc, audit_stderr), **result)
            after = audit_document
        result['diff'] = dict(before=state_text(document), after=state_text(after),
                              before_header='box state before the fix', after_header='box state after the fix')
    module.exit_json(**result)


if __name__ == '__main__':
    main()
