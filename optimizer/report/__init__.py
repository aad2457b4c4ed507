"""Write what a planner reads: the Excel report, its charts, the CSV export and the console
summary — from Results only, never from the model.
"""
