"""Input side: the schema declared once, the guarded workbook reader, the embedded default
case and template, scenario overrides, and validation into a typed Case.
"""
