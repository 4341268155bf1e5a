"""The read-only JSON API (Django REST framework): reports, recommendations, actions and their history."""
