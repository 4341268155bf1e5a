"""
The app's pages: each module turns requests into calls and calls into responses, for one area.

overview (home, dashboard, force page, review queue), actions (lists, an action's page and its changes),
reports, national (themes, key figures), exports (downloads), calendar, trends, register (public, no sign-in),
account (the user's own: sign-in log, signing out everywhere, the idle timer).
What they show is worked out elsewhere: access, selectors, workflow and the computing modules.
"""
