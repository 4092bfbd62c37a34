# Test data: a second value after a severity on line 4.
name extra-value
summary test
dmz high please
