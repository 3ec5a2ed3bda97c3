"""Load records with their children in one query, where a page counts its queries.

``prefetch_related`` reads each relation with a query of its own. A page that
shows a few parents, each with a handful of children (a finding's verdicts, a
measure's values, the findings a plan answers), pays for a round trip and an
SQL compilation per relation. ``with_children`` reads the parents and one
relation of their children together, through a LEFT JOIN, and leaves each
parent's children where ``prefetch_related`` would have put them, so
``parent.children.all()`` reads them without a query, as before.
"""

from dataclasses import dataclass

from django.db.models import FilteredRelation, Q

from .prepared import Prepared


@dataclass(frozen=True)
class Children:
    """One relation to load with ``with_children``: its accessor name, which children, their order."""

    relation: str
    condition: Q | None = None  # as for FilteredRelation: keep only some children
    order_by: tuple = ("pk",)  # the child model's field names ("-held_on" for newest first)


def with_children(queryset, *relations):
    """The parents of ``queryset``, in its order, each with the children of ``relations`` loaded.

    Each relation is a reverse foreign key of the parents' model: its accessor
    name, as for ``prefetch_related``, or a ``Children`` to keep only some
    children or order them. A parent with no children comes once, with none.
    Each parent and child is built once from the rows (the parents' own fields
    only: ``select_related`` is not kept). With two relations the rows are
    every pair of one parent's children, so keep the second to a handful.
    Returns a list.
    """
    layout = _Layout(queryset.model, relations)
    return layout.assemble(layout.rows(queryset), queryset.db)


class PreparedChildren:
    """``with_children`` for a query run on every page: built and compiled once (``Prepared``).

    ``build(*values)`` returns the parents' queryset (of ``model``); ``kinds``
    are the values' types, as for ``Prepared``. ``relations`` are as for
    ``with_children``, or a function of the values returning them (when a
    relation's condition names a value; the relations themselves must not
    change). Calling it with the values returns what
    ``with_children(build(*values), *relations)`` would.
    """

    def __init__(self, model, build, *kinds, relations=()):
        self.model, self.build, self.relations = model, build, relations
        self.layout = None
        self.query = Prepared(self._rows, *kinds)

    def _relations(self, values):
        return self.relations(*values) if callable(self.relations) else self.relations

    def _rows(self, *values):
        return _Layout(self.model, self._relations(values)).rows(self.build(*values))

    def __call__(self, *values, using="default"):
        if self.layout is None:
            self.layout = _Layout(self.model, self._relations(values))
        return self.layout.assemble(self.query(*values, using=using), using)


class _Layout:
    """Where each record's fields are in a row of parents joined to their children."""

    def __init__(self, model, relations):
        self.model = model
        self.relations = [r if isinstance(r, Children) else Children(r) for r in relations]
        self.parent_names = [field.attname for field in model._meta.concrete_fields]
        self.width = len(self.parent_names)
        self.parent_pk = self.parent_names.index(model._meta.pk.attname)
        self.columns, self.children = list(self.parent_names), []
        for wanted in self.relations:
            child_model = model._meta.get_field(wanted.relation).related_model
            names = [field.attname for field in child_model._meta.concrete_fields]
            start = len(self.columns)
            self.columns += [f"{self._path(wanted)}__{name}" for name in names]
            pk = start + names.index(child_model._meta.pk.attname)
            self.children.append((wanted.relation, child_model, names, start, pk))

    @staticmethod
    def _path(wanted):
        return wanted.relation if wanted.condition is None else f"loaded_{wanted.relation}"

    def rows(self, queryset):
        """``queryset`` as the rows to assemble: a values_list query."""
        child_order = []
        for wanted in self.relations:
            path = self._path(wanted)
            if wanted.condition is not None:
                queryset = queryset.annotate(
                    **{path: FilteredRelation(wanted.relation, condition=wanted.condition)}
                )
            child_order += [
                f"-{path}__{name[1:]}" if name.startswith("-") else f"{path}__{name}"
                for name in wanted.order_by
            ]
        parent_order = list(queryset.query.order_by or self.model._meta.ordering or ["pk"])
        return queryset.order_by(*parent_order, *child_order).values_list(*self.columns)

    def assemble(self, rows, db):
        model, width = self.model, self.width
        parents, children, seen = {}, {}, set()
        for row in rows:
            pk = row[self.parent_pk]
            if pk not in parents:
                parents[pk] = model.from_db(db, self.parent_names, row[:width])
                for relation, *_ in self.children:
                    children.setdefault(relation, {})[pk] = []
            for relation, child_model, names, start, child_pk in self.children:
                key = (relation, row[child_pk])
                if row[child_pk] is None or key in seen:
                    continue
                seen.add(key)
                children[relation][pk].append(
                    child_model.from_db(db, names, row[start : start + len(names)])
                )
        loaded = list(parents.values())
        for relation, *_ in self.children:
            attach(loaded, relation, children.get(relation, {}))
        return loaded


def attach(parents, relation, children):
    """Give each parent its ``relation`` children, as ``prefetch_related`` would have.

    ``children`` is {parent pk: [child, ...]}, in the order they are to be read;
    each child's own link to its parent is filled in too.
    """
    if not parents:
        return
    relation_field = type(parents[0])._meta.get_field(relation)
    foreign_key = relation_field.field
    cache_name = relation_field.cache_name
    for parent in parents:
        own = children.get(parent.pk, [])
        for child in own:
            foreign_key.set_cached_value(child, parent)
        loaded = getattr(parent, relation).all()
        loaded._result_cache = own
        loaded._prefetch_done = True
        parent.__dict__.setdefault("_prefetched_objects_cache", {})[cache_name] = loaded
