"""The review schedule of one (learner, skill) card, with the maintained FSRS scheduler (py-fsrs, `fsrs`).

Why a library: FSRS is the scheduler of current spaced-repetition software, fitted on hundreds of millions of
reviews; its memory model (stability, difficulty, retrievability) is what "due just before you forget"
means, and py-fsrs is its reference implementation. Nothing here re-derives it.

Settings: 90 % desired retention; a skill failed (or new and rated below Easy) comes back after 10 minutes
in the same sitting, then on the days FSRS computes. Fuzzing is off: it draws from the global `random`
module, and every schedule here must be reproducible from the learner's reviews alone (a card is a pure
function of its ratings and their times: `replay` rebuilds it, which import and restore rely on).

Times are timezone-aware UTC datetimes, passed in by the caller: nothing here reads the clock.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fsrs import Card, Rating, Scheduler, State

DESIRED_RETENTION = 0.9
STEPS = (timedelta(minutes=10),)
SCHEDULER = Scheduler(desired_retention=DESIRED_RETENTION, learning_steps=STEPS, relearning_steps=STEPS,
                      enable_fuzzing=False)


def utc(moment: datetime) -> datetime:
    """`moment` in UTC, as fsrs requires (a naive datetime is taken to be UTC)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class CardState:
    """A card as the store keeps it: fsrs's JSON, and the facts screens ask for without parsing it."""

    skill_id: str
    card_json: str
    due: datetime
    reviews: int
    lapses: int  # reviews rated Again after the first

    @property
    def card(self) -> Card:
        return Card.from_json(self.card_json)

    def retrievability(self, now: datetime) -> float:
        """FSRS's probability that the learner recalls this skill at `now` (0 for a card never reviewed)."""
        return float(SCHEDULER.get_card_retrievability(self.card, current_datetime=utc(now)))

    @property
    def stability_days(self) -> float:
        return float(self.card.stability or 0.0)

    @property
    def learning(self) -> bool:
        return self.card.state in (State.Learning, State.Relearning)


def review(state: CardState | None, skill_id: str, rating: Rating | int, at: datetime) -> CardState:
    """The card after one review rated `rating` at `at` (a new card when `state` is None)."""
    at = utc(at)
    card = Card(card_id=1, due=at) if state is None else state.card
    card, _ = SCHEDULER.review_card(card, Rating(int(rating)), review_datetime=at)
    reviews = (state.reviews if state else 0) + 1
    lapses = (state.lapses if state else 0) + (1 if int(rating) == Rating.Again and state else 0)
    return CardState(skill_id, card.to_json(), utc(card.due), reviews, lapses)


def replay(skill_id: str, ratings: list[tuple[int, datetime]]) -> CardState | None:
    """The card made by these (rating, time) reviews in time order; None when there are none."""
    state = None
    for rating, at in sorted(ratings, key=lambda r: utc(r[1])):
        state = review(state, skill_id, rating, at)
    return state
