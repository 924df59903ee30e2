"""Writing what the buffer holds: contacts first, then the records that refer to them, in parallel.

Parallel units never touch the same GHL record: contacts are grouped by record key (two versions of one
contact go in order, in one unit), children by (object, contact), so each unit lists a contact's tasks or
notes once and writes them in arrival order. Every unit shares one HttpClient budget.
"""

from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Dict, Iterable, List, Tuple, TypeVar

from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from destination_ghl_contacts.appointments import write_appointments
from destination_ghl_contacts.buffer import Item
from destination_ghl_contacts.children import Results
from destination_ghl_contacts.contacts import write_contact
from destination_ghl_contacts.context import WriteContext
from destination_ghl_contacts.ghl import Malformed
from destination_ghl_contacts.notes import write_notes
from destination_ghl_contacts.report import Outcome, rejected
from destination_ghl_contacts.tags import write_tags
from destination_ghl_contacts.tasks import write_tasks

BATCH = 200
T = TypeVar("T")
R = TypeVar("R")
WRITERS = {"tasks": write_tasks, "notes": write_notes, "appointments": write_appointments, "tags": write_tags}


class Flusher:
    def __init__(self, ctx: WriteContext, pool: ThreadPoolExecutor):
        self.ctx = ctx
        self.pool = pool

    def flush(self, final: bool) -> None:
        """Write every pending contact, and every child whose contact is known. With `final` (the end of the
        input), children whose contact is not known yet are looked up in GHL, else rejected; before that they
        wait for their contact to arrive."""
        self._contacts()
        self._children(final)

    def reject_pending(self, reason: str) -> None:
        """Every record still in the buffer, rejected with `reason` (its location cannot be written to)."""
        for contacts in (True, False):
            while True:
                batch = self.ctx.buffer.batch(contacts=contacts, limit=BATCH)
                if not batch:
                    break
                self._record([(item, rejected(reason)) for item in batch])
                self.ctx.buffer.done(batch)

    def _contacts(self) -> None:
        while True:
            batch = self.ctx.buffer.batch(contacts=True, limit=BATCH)
            if not batch:
                return
            groups: Dict[str, List[Item]] = defaultdict(list)
            for item in batch:
                groups[item.key].append(item)
            units = self._map(lambda items: [(i, write_contact(self.ctx, i)) for i in items], groups.values())
            self._record([pair for results in units for pair in results])
            self.ctx.buffer.done(batch)

    def _children(self, final: bool) -> None:
        after = 0
        while True:
            batch = self.ctx.buffer.batch(contacts=False, limit=BATCH, after_seq=after)
            if not batch:
                return
            after = batch[-1].seq
            resolved, unresolved = self._resolve(batch, final)
            groups: Dict[Tuple[str, str], List[Item]] = defaultdict(list)
            for item, contact_id in resolved:
                groups[(item.obj, contact_id)].append(item)
            units = self._map(lambda unit: WRITERS[unit[0][0]](self.ctx, unit[0][1], unit[1]), groups.items())
            results: Results = [pair for unit in units for pair in unit]
            results += [(item, rejected(reason)) for item, reason in unresolved if final]
            self._record(sorted(results, key=lambda pair: pair[0].seq))
            self.ctx.buffer.done([item for item, _ in results])

    def _map(self, work: Callable[[T], R], units: Iterable[T]) -> List[R]:
        """`work` on every unit, in parallel. A malformed GHL answer about a contact (a lookup, a read) is not
        pinned on one record, as a child's listing is (see children.write_each): it stops the sync."""
        try:
            return list(self.pool.map(work, units))
        except Malformed as exc:
            raise exc.stop() from None

    def _resolve(self, batch: List[Item], final: bool):
        """Each child's GHL contact id: what this sync knows; at the end (`final`) also what GHL knows."""
        first_of: Dict[Tuple[str, str], Item] = {}
        for item in batch:
            first_of.setdefault(_reference(item), item)
        found = {ref: self._local(item) for ref, item in first_of.items()}
        todo = [ref for ref, value in found.items() if value is None]
        if final and todo:
            lookups = self._map(lambda ref: self.ctx.resolve_contact(first_of[ref].data), todo)
            found.update(zip(todo, lookups))
        resolved, unresolved = [], []
        for item in batch:
            contact_id, reason = found[_reference(item)] or (None, "")
            if contact_id:
                resolved.append((item, contact_id))
            else:
                unresolved.append((item, reason))
        return resolved, unresolved

    def _local(self, item: Item):
        data = item.data
        if data.get("contactId"):
            return data["contactId"], ""
        if data.get("contactRankrId"):
            known = self.ctx.buffer.contact_for_rankr(data["contactRankrId"])
        else:
            known = self.ctx.buffer.contact_for_email(data.get("contactEmail") or "")
        return (known, "") if known else None

    def _record(self, results: List[Tuple[Item, Outcome]]) -> None:
        for item, outcome in results:
            self.ctx.report.record(item.obj, item.stream, item.key, outcome, seq=item.seq,
                                   location=self.ctx.ghl.location_id)
            if outcome.rejected and self.ctx.settings.fail_on_invalid:
                raise invalid_record_error(item.stream, item.key, outcome.reason)


def _reference(item: Item) -> Tuple[str, str]:
    data = item.data
    for field in ("contactId", "contactRankrId", "contactEmail"):
        if data.get(field):
            return field, str(data[field]).lower() if field == "contactEmail" else str(data[field])
    return "none", ""


def invalid_record_error(stream: str, key: str, reason: str) -> AirbyteTracedException:
    message = (f"Record {key} of stream '{stream}' was rejected: {reason}. The sync stopped because "
               "invalid_record_policy is 'fail'; fix the record, or set the policy to 'reject_and_continue'.")
    return AirbyteTracedException(message=message, internal_message=message, failure_type=FailureType.config_error)
