# Test data: class gaming set twice (lines 4 and 5).
name duplicate-class
summary test
class gaming low
class gaming high
