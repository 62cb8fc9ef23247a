import os

os.environ.setdefault("CASEASSESS_TESTING", "1")
