// Messages a person reads, in their language (GNU gettext, text domain "boxwarden").
// JSON field names, rule ids, exit codes and anything a script parses are never passed
// through tr(). A message with values is one whole sentence with named places, so that a
// translator can move them: fill(tr("found the box at {address} in {ms} ms"), {{"address", a},
// {"ms", n}}). xgettext extracts tr:1, trn:1,2 and N_:1 (po/ and tests/cli/po_test).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace bw {

// Marks a string for extraction where it must stay a constant (a table); translate it
// with tr() where it is printed.
#define N_(text) text

// The translation of msgid in the current language, or msgid itself.
const char* tr(const char* msgid);
// The form for n of a message with a plural ("1 change", "3 changes").
const char* trn(const char* singular, const char* plural, unsigned long n);

// Sets LC_MESSAGES and LC_CTYPE (never LC_ALL or LC_NUMERIC: numbers in JSON and in options
// do not change with the language) from the environment, and binds the text domain to the
// catalogues: the build tree's for a binary run from its build tree, else the installed ones.
void start_translations();

// pattern with each "{name}" replaced by its value; an unknown "{name}" is left as it is.
std::string fill(std::string_view pattern,
                 std::initializer_list<std::pair<std::string_view, std::string_view>> values);

}  // namespace bw
