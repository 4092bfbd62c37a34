# Test data: no summary line.
name missing-summary
dmz high
