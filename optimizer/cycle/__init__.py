"""The monthly cycle: roll a case forward, compare two cases."""
