"""What the task, note and appointment writers share: one contact's records written in order against one
listing of that contact's GHL records, read once and kept up to date as records are created.

A contact this sync created (its `POST /contacts/` answered with a new contact) holds no task or note this
destination wrote, so the first writer of its tasks (or notes) starts from an empty listing instead of reading
it: one request less per new contact and object. Every later writer of that contact's tasks or notes (a later
batch), and every contact found in GHL (a replay, a resumed sync, an existing contact), is read as before, so
the markers still find what any sync wrote. Appointments are always read: their same-slot match also finds
appointments booked in GHL itself.
"""

from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from destination_ghl_contacts.buffer import Item
from destination_ghl_contacts.context import WriteContext, is_placeholder
from destination_ghl_contacts.ghl import Reply, items
from destination_ghl_contacts.matching import Ambiguous
from destination_ghl_contacts.report import Outcome, created, deleted, rejected, unchanged

Results = List[Tuple[Item, Outcome]]
# The objects a contact created by this sync starts without (see the module's docstring).
EMPTY_ON_NEW = ["tasks", "notes"]


class Listing:
    """A contact's GHL tasks / notes / appointments, read on first use."""

    def __init__(self, ctx: WriteContext, path: str, key: str, known_empty: bool = False):
        self.ctx, self.path, self.key = ctx, path, key
        self._items: Optional[List[Dict[str, Any]]] = [] if known_empty else None

    @classmethod
    def of_contact(cls, ctx: WriteContext, contact_id: str, obj: str, items: List[Item]) -> "Listing":
        """The listing of a contact's `obj` for the records `items`: known empty when the contact was created by
        this sync and no writer of its `obj` came before (a record naming a `ghlId` still reads GHL)."""
        new = ctx.buffer.take_new(contact_id, obj)  # taken in any case: a later writer must read GHL
        known_empty = new and not any(item.data.get("ghlId") for item in items)
        return cls(ctx, f"/contacts/{contact_id}/{obj}", obj, known_empty=known_empty)

    def items(self) -> List[Dict[str, Any]]:
        if self._items is None:
            self._items = self.fresh()
        return self._items

    def fresh(self) -> List[Dict[str, Any]]:
        """Raises LookupError (the record is rejected) unless GHL lists them: an answer without its list is
        not "none", or the record would be created again."""
        reply = self.ctx.ghl.get(self.path)
        if not reply.answered:
            raise LookupError(f"could not list the contact's {self.key} (HTTP {reply.status}): {reply.message}")
        self._items = list(items(reply, self.key, f"the listing of the contact's {self.key}"))
        return self._items

    def add(self, item: Dict[str, Any]) -> None:
        self.items().append(item)

    @staticmethod
    def edited(item: Mapping[str, Any], fields: Mapping[str, Any]) -> None:
        """Keep the listed copy as GHL now has it: a later version of the same record in this batch (A, then B,
        then A again) is compared with what was written, not with what was first listed."""
        item.update(fields)  # type: ignore[attr-defined]  # the listing's own dict


def write_each(ctx: WriteContext, contact_id: str, items: List[Item],
               one: Callable[[Item], Outcome]) -> Results:
    results: Results = []
    for item in items:
        if is_placeholder(contact_id):
            # a dry run's new contact: everything on it would be new
            results.append((item, created(None)))
            continue
        try:
            results.append((item, one(item)))
        except (Ambiguous, LookupError) as exc:
            results.append((item, rejected(str(exc))))
    return results


def refused(reply: Reply) -> Outcome:
    return rejected(f"GHL refused it (HTTP {reply.status}): {reply.message or 'no message'}")


def delete_child(ctx: WriteContext, path: str, existing: Optional[Dict[str, Any]]) -> Outcome:
    """Opt-in delete of a task or note (`path` is its list path); one that is already gone is unchanged."""
    if ctx.deletes_ignored() or existing is None:
        return unchanged(None)
    if not ctx.take_delete():
        return rejected(ctx.delete_cap_reason())
    if not ctx.dry_run:
        reply = ctx.ghl.call("DELETE", f"{path}/{existing['id']}")
        if not reply.ok and reply.status != 400:  # 400: deleted meanwhile
            return refused(reply)
    return deleted(existing["id"])
