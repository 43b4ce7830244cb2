"""Parse ARM request paths (resource ids, collections, actions) into one typed value.

Grammar: ``/subscriptions/{s}[/resourceGroups/{rg}]`` then any number of ``/providers/{namespace}`` groups,
each followed by ``{type}/{name}`` pairs; a last odd segment is a collection (GET) or an action (POST).
Extension resources (diagnostic settings, role assignments under an account) are just a second group.
Empty segments are dropped (``emulator.paths.segments``, which the admin-token guard reads too).
ARM names are case-insensitive: ``key`` / ``signature`` are lower-cased, ``id`` keeps the caller's case.
"""

from __future__ import annotations

from dataclasses import dataclass

from emulator import paths


class ArmPathError(ValueError):
    """The path is not an ARM resource path."""


@dataclass(frozen=True)
class Segment:
    namespace: str
    type: str
    name: str


@dataclass(frozen=True)
class ArmPath:
    subscription: str
    resource_group: str | None = None
    segments: tuple[Segment, ...] = ()
    # A trailing collection or action name; a collection of a top-level type carries its namespace.
    tail: str | None = None

    @property
    def scope_id(self) -> str:
        """The id of the subscription or resource group the path sits in."""
        base = f"/subscriptions/{self.subscription}"
        return f"{base}/resourceGroups/{self.resource_group}" if self.resource_group else base

    @property
    def id(self) -> str:
        """The resource id without the tail."""
        parts = [self.scope_id]
        previous = None
        for segment in self.segments:
            if segment.namespace != previous:
                parts.append(f"/providers/{segment.namespace}")
                previous = segment.namespace
            parts.append(f"/{segment.type}/{segment.name}")
        return "".join(parts)

    @property
    def key(self) -> str:
        return self.id.lower()

    @property
    def resource_type(self) -> str:
        """ARM's ``type``: the last namespace and the types chained under it."""
        if not self.segments:
            return (
                "Microsoft.Resources/resourceGroups"
                if self.resource_group
                else "Microsoft.Resources/subscriptions"
            )
        last = self.segments[-1].namespace
        chain: list[str] = []
        for segment in reversed(self.segments):
            if segment.namespace != last:
                break
            chain.insert(0, segment.type)
        return f"{last}/{'/'.join(chain)}"

    @property
    def signature(self) -> str:
        """A lower-case shape for dispatch: namespaces and types, names left out, ``#tail`` appended."""
        parts: list[str] = []
        previous = None
        for segment in self.segments:
            if segment.namespace != previous:
                parts.append(segment.namespace.lower())
                previous = segment.namespace
            parts.append(segment.type.lower())
        shape = "/".join(parts)
        return f"{shape}#{self.tail.lower()}" if self.tail else shape

    def name(self, index: int = -1) -> str:
        return self.segments[index].name

    def parent(self) -> ArmPath:
        return ArmPath(self.subscription, self.resource_group, self.segments[:-1])

    def child(self, type_: str, name: str) -> ArmPath:
        namespace = self.segments[-1].namespace
        return ArmPath(
            self.subscription, self.resource_group, (*self.segments, Segment(namespace, type_, name))
        )


def parse_arm_path(path: str) -> ArmPath:
    # The one reading of a path (emulator.paths) the admin-token guard makes too.
    parts = list(paths.segments(path))
    if len(parts) < 2 or parts[0].lower() != "subscriptions":
        raise ArmPathError(f"'{path}' is not under /subscriptions/{{subscriptionId}}.")
    subscription, rest = parts[1], parts[2:]
    resource_group = None
    if len(rest) >= 2 and rest[0].lower() == "resourcegroups":
        resource_group, rest = rest[1], rest[2:]
    elif len(rest) == 1 and rest[0].lower() == "resourcegroups":
        return ArmPath(subscription, None, (), "resourceGroups")
    segments: list[Segment] = []
    namespace: str | None = None
    while rest:
        if rest[0].lower() == "providers" and len(rest) >= 2:
            namespace, rest = rest[1], rest[2:]
            if len(rest) == 1:
                return ArmPath(subscription, resource_group, tuple(segments), f"{namespace}/{rest[0]}")
            continue
        if namespace is None:
            if len(rest) == 1:
                return ArmPath(subscription, resource_group, tuple(segments), rest[0])
            raise ArmPathError(f"'{path}' names a resource type outside a /providers/ namespace.")
        if len(rest) == 1:
            return ArmPath(subscription, resource_group, tuple(segments), rest[0])
        segments.append(Segment(namespace, rest[0], rest[1]))
        rest = rest[2:]
    return ArmPath(subscription, resource_group, tuple(segments))
