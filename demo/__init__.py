"""A realistic national demo data set, built fast and reproducibly for demos and benchmarks.

Reports and recommendations reach all 43 forces as HMIC's do (`content`, `plan`); each action then lives a life
that fits its dates, written as the rows the workflow itself would leave (`life`); everything is bulk-inserted in
batches with no query per row (`bulk`, `build`). The same seed and "today" give the same data. Demo data is
marked: report slugs start with "demo-", user names with "demo.".
"""

from demo.build import Summary, clear_tracker_data, database_holds, generate
from demo.plan import DEMO_PASSWORD, DEMO_REPORT_PREFIX, DEMO_USER_PREFIX

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_REPORT_PREFIX",
    "DEMO_USER_PREFIX",
    "Summary",
    "clear_tracker_data",
    "database_holds",
    "generate",
]
