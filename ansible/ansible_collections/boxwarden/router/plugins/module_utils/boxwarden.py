# -*- coding: utf-8 -*-
# Shared by the boxwarden.router modules: the options every module takes, how they become
# the boxwarden command line, and how a run's JSON and exit status become a module result.
# The password is never on the command line: only the path of a file holding it.

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

# Exit statuses of boxwarden (man boxwarden, EXIT STATUS).
EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3
EXIT_AUTH = 4
EXIT_FIX_FAILED = 5
EXIT_ROLLBACK_FAILED = 6
EXIT_INTERNAL = 70
EXIT_BUSY = 75

SEVERITIES = ['info', 'low', 'medium', 'high', 'critical']

# The options of every module, in the order they go on the command line.
COMMON_ARGUMENT_SPEC = dict(
    gateway=dict(type='str'),
    vendor=dict(type='str'),
    password_file=dict(type='path', no_log=False),
    profile=dict(type='str'),
    site=dict(type='str'),
    state_dir=dict(type='path'),
    timeout=dict(type='int'),
)

FAIL_ON_SPEC = dict(fail_on=dict(type='str', choices=SEVERITIES))

# module option -> boxwarden global option
_GLOBAL_OPTIONS = (
    ('site', '--site'),
    ('gateway', '--gateway'),
    ('vendor', '--vendor'),
    ('password_file', '--password-file'),
    ('profile', '--profile'),
    ('state_dir', '--state-dir'),
    ('timeout', '--timeout'),
)


def argument_spec(fail_on=True, **extra):
    spec = dict(COMMON_ARGUMENT_SPEC)
    if fail_on:
        spec.update(FAIL_ON_SPEC)
    spec.update(extra)
    return spec


def build_argv(binary, command, params, dry_run=False, yes=False, positional=None):
    """The boxwarden command line for COMMAND with the module's PARAMS.

    Always JSON, never a prompt (--no-input). Every value is given as --option=VALUE, so that
    a value starting with '-' is never read as an option. Options whose value is None are
    left out, so boxwarden's own defaults apply. A positional argument (the rollback's backup)
    comes after '--'.
    """
    argv = [binary, '--format=json', '--no-input']
    for name, option in _GLOBAL_OPTIONS:
        value = params.get(name)
        if value is None:
            continue
        if name == 'timeout' and (isinstance(value, bool) or int(value) < 1):
            raise ValueError('timeout must be a whole number of seconds, 1 or more')
        argv.append('%s=%s' % (option, value))
    if yes:
        argv.append('--yes')
    if dry_run:
        argv.append('--dry-run')
    argv.append(command)
    if params.get('fail_on') is not None:
        argv.append('--fail-on=%s' % params['fail_on'])
    if positional is not None:
        argv.extend(['--', positional])
    return argv


def parse_document(stdout):
    """boxwarden's JSON document on stdout, or None when there is none (a crash)."""
    try:
        document = json.loads(stdout)
    except ValueError:
        return None
    if isinstance(document, (dict, list)):
        return document
    return None


def error_message(document, rc, stderr):
    """The one-line message of an error document, else the last line of stderr."""
    if isinstance(document, dict):
        error = document.get('error')
        if isinstance(error, dict) and error.get('message'):
            return 'boxwarden exited %d: %s' % (rc, error['message'])
        if document.get('failure'):
            return 'boxwarden exited %d: %s' % (rc, document['failure'])
        fix = document.get('fix')
        if isinstance(fix, dict) and fix.get('outcome'):
            return 'boxwarden exited %d: fix outcome %s' % (rc, fix['outcome'])
    lines = [line for line in (stderr or '').splitlines() if line.strip()]
    if lines:
        return 'boxwarden exited %d: %s' % (rc, lines[-1])
    return 'boxwarden exited %d and printed no JSON document' % rc


def run(module, command, dry_run=False, yes=False, positional=None):
    """Runs boxwarden (found on the PATH); returns (rc, document, stderr, argv)."""
    binary = module.get_bin_path('boxwarden', required=True)
    try:
        argv = build_argv(binary, command, module.params, dry_run=dry_run, yes=yes, positional=positional)
    except ValueError as e:
        module.fail_json(msg=str(e))
    rc, stdout, stderr = module.run_command(argv, check_rc=False, environ_update={'LC_ALL': 'C.UTF-8'})
    document = parse_document(stdout)
    if document is None:
        module.fail_json(msg=error_message(None, rc, stderr), exit_code=rc, stderr=stderr, cmd=argv)
    return rc, document, stderr, argv
