"""A learner's progress: the store of checked answers and what they add up to.

attempt.py (one saved answer and its rules), schema.py (tables and migrations), store.py (the Store:
opening, transactions, learners, answers), transfer.py (export and import), record.py (a Verdict as an
Attempt), summary.py (what the answers add up to, for the dashboard), class_view.py and class_export.py (the
instructor's class view: the class's numbers and its gradebook). Callers import the names below.
"""
from core.errors import StoreError
from core.progress.attempt import Attempt, normalize_learner
from core.progress.identity import Learner, account, guest, profile
from core.progress.record import attempt_from
from core.progress.schema import SCHEMA_VERSION
from core.progress.store import LearnerInfo, Store, resolve_url
from core.progress.transfer import ImportRefused, ImportResult, Known, parse_export

__all__ = ["SCHEMA_VERSION", "Attempt", "ImportRefused", "ImportResult", "Known", "Learner", "LearnerInfo", "Store",
           "StoreError", "account", "attempt_from", "guest", "normalize_learner", "parse_export", "profile",
           "resolve_url"]
