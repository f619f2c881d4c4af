"""Learning over days: the skills a learner practises, how a checked answer rates one, the FSRS schedule of
each (learner, skill), and the review items that ask a skill again on a fresh network.

skills.py (content/skills.toml: which values practise which skill), rating.py (the rating rule),
schedule.py (the FSRS card of one skill), plan.py (what is due, mastery, what to practise next),
items.py (a review question: a skill on a variant the learner has not seen), fading.py (worked examples
that fade). The store keeps the ratings and cards (core.progress.cards).
"""
