"""Selectors: the rules that pick, on device, which candidate makes the next update.

A selector is a pure function of :class:`optswitch.Signals` and its own state. It knows nothing of optax
states; the switch feeds it the signals it asks for (see :attr:`Selector.reads`) and routes the next update
to the candidate it returns.

Built in: :func:`manual` and :func:`schedule` (decided in advance), :func:`plateau` (the loss stopped
improving), :func:`swats` (Adam to SGD when Adam's step settles, Keskar & Socher 2017), :func:`bandit` (the
candidate that has been reducing the loss fastest), :func:`noise_scale` (the gradient becomes mostly noise,
McCandlish et al. 2018) and :func:`race` (the winner of a short race, re-checked against the runner-up now
and then), :func:`trials` (every candidate run for the same updates from a common start, the winner kept) and
:func:`halving` (successive halving from a common start: the best of short trials tried again for longer);
:func:`custom` makes one from two functions. Guards wrap a selector and veto some of its switches:
:func:`min_dwell` and :func:`revert_if_worse`, and :func:`undo_if_worse` puts back the parameters after a switch
that made the loss worse; :func:`step_down` wraps one so that, late in the run, candidates
at a multiple of their learning rate (:func:`optswitch.learning_rate_multiples`) give way to the originals.
:func:`recommended` is the README's recommended selector: a race over such copies, stepped down and guarded.
:func:`undo_if_worse` and :func:`step_down` also wrap :func:`trials` and :func:`halving`: they stand aside while a
round of trials runs (:attr:`Snapshots.busy`) and guard the rest of the run.

Every selector leaves its state unchanged on an update whose signals it reads are not finite: the switch
skips it, as if that update had not happened. Counters that a selector keeps in its own state therefore
count the updates it saw, which ``Signals.step`` does not. Three act on such an update, through
:attr:`Snapshots.on_skip`: :func:`undo_if_worse` puts back the parameters, and :func:`trials` and :func:`halving`
count the trial under way as lost and go on from the round's start (else a candidate that diverges in its trial
would hold the round, and the run, forever).
"""

from optswitch.selectors._bandit import STRATEGIES, BanditState, bandit
from optswitch.selectors._base import Reads, Selector, SelectorState, SnapshotRequest, Snapshots, custom, manual
from optswitch.selectors._guards import DwellState, RevertState, min_dwell, revert_if_worse
from optswitch.selectors._halving import HalvingState, halving
from optswitch.selectors._noise_scale import NoiseProbeState, NoiseScaleState, noise_scale
from optswitch.selectors._plateau import PlateauState, plateau
from optswitch.selectors._race import RaceState, race
from optswitch.selectors._recommended import recommended
from optswitch.selectors._schedule import ScheduleState, schedule
from optswitch.selectors._step_down import StallWatch, StepDownState, step_down
from optswitch.selectors._swats import SwatsState, swats
from optswitch.selectors._trials import TrialsState, trials
from optswitch.selectors._undo import UndoState, undo_if_worse

__all__ = [
    "STRATEGIES",
    "BanditState",
    "DwellState",
    "HalvingState",
    "NoiseProbeState",
    "NoiseScaleState",
    "PlateauState",
    "RaceState",
    "Reads",
    "RevertState",
    "ScheduleState",
    "Selector",
    "SelectorState",
    "SnapshotRequest",
    "Snapshots",
    "StallWatch",
    "StepDownState",
    "SwatsState",
    "TrialsState",
    "UndoState",
    "bandit",
    "custom",
    "halving",
    "manual",
    "min_dwell",
    "noise_scale",
    "plateau",
    "race",
    "recommended",
    "revert_if_worse",
    "schedule",
    "step_down",
    "swats",
    "trials",
    "undo_if_worse",
]
