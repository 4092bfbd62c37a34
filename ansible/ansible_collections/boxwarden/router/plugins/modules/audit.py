#!/usr/bin/python
# -*- coding: utf-8 -*-
# boxwarden.router.audit: read the box of a site and return boxwarden's report.

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: audit
short_description: Audit a site's Internet box with boxwarden
version_added: "0.1.0"
description:
  - Runs C(boxwarden audit) on the site machine and returns its JSON report.
  - Reads the box only; never changes it.
  - Findings never fail the task (boxwarden's exit 1 is a normal result, returned in
    O(exit_code)); a box that cannot be reached, a refused password, a usage error or any
    other error of boxwarden fails it, and the error document is returned in RV(report).
author:
  - boxwarden maintainers (@boxwarden)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - boxwarden.router.common
  - boxwarden.router.common.fail_on
attributes:
  check_mode:
    support: full
    details: The audit changes nothing, so it runs in check mode too.
  diff_mode:
    support: none
  platform:
    platforms: posix
'''

EXAMPLES = r'''
- name: Audit the practice's box under the medical-practice profile
  boxwarden.router.audit:
    profile: medical-practice
    site: "{{ inventory_hostname }}"
    password_file: /etc/boxwarden/box.pass
  register: audit

- name: Show the worst findings
  ansible.builtin.debug:
    msg: "{{ audit.report.findings | selectattr('severity', 'equalto', 'critical') | map(attribute='title') }}"
'''

RETURN = r'''
report:
  description:
    - boxwarden's JSON document, parsed; the audit report (see C(man boxwarden), JSON OUTPUT),
      or, when the task failed, boxwarden's error document (with C(error.kind), C(error.exit_code)
      and C(error.message)).
  returned: when boxwarden printed a JSON document
  type: dict
  sample: {"command": "audit", "profile": "medical-practice", "site": "site07",
           "summary": {"critical": 1, "high": 0, "medium": 0, "low": 0, "info": 0}}
exit_code:
  description:
    - boxwarden's exit status. 0 nothing at or above O(fail_on), 1 findings at or above it;
      anything else failed the task (2 usage, 3 unreachable, 4 authentication, 70 a bug, 75 busy).
  returned: always
  type: int
  sample: 1
cmd:
  description: The command line that was run (it holds no secret).
  returned: always
  type: list
  elements: str
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.boxwarden.router.plugins.module_utils.boxwarden import (
    EXIT_FINDINGS, EXIT_OK, argument_spec, error_message, run)


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    rc, document, stderr, argv = run(module, 'audit')
    result = dict(changed=False, report=document, exit_code=rc, cmd=argv)
    if rc not in (EXIT_OK, EXIT_FINDINGS):
        module.fail_json(msg=error_message(document, rc, stderr), **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
