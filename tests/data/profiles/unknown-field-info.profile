# Test data: unknown-field may not be info (line 4).
name unknown-field-info
summary test
unknown-field info
