"""One world of typed resources, merged across every input.

Loaders fill a :class:`World`; rules read it. Every resource knows its account, region and the place in
an input it came from. Values the inputs cannot settle are :class:`~pipelint.values.Unknown`.
Resources are keyed by ARN when it is known, else by a symbolic id (``file#LogicalId``).
"""

from __future__ import annotations

from collections.abc import Iterator

from pipelint.records import field, record
from pipelint.values import Unknown

TYPE_CHECKING = False  # for annotations only: typing costs 3 ms to import
if TYPE_CHECKING:
    from typing import Any

MaybeStr = "str | Unknown | None"


@record(frozen=True, slots=True)
class Source:
    """Where a resource or value came from: a file, a logical path inside it, and its line/column.

    Slotted: a world of thousands of pipelines has hundreds of thousands of them."""

    file: str
    path: tuple = ()
    line: int | None = None
    column: int | None = None

    def label(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@record
class PolicyDoc:
    """A policy document attached to a resource or role. ``document`` is Unknown when not in the inputs."""

    document: dict | Unknown
    name: str
    source: Source | None = None
    locator: Any = None  # (sub-path inside the document) -> Source, when the loader can place it

    def at(self, *sub: Any) -> Source | None:
        """Where ``sub`` (e.g. ``("Statement", 2)``) is, falling back to the whole policy."""
        if self.locator is not None and sub:
            return self.locator(tuple(sub))
        return self.source


@record
class ArtifactStore:
    """An artifact store of a pipeline: bucket and encryption key, for one region or all."""

    region: str | Unknown | None  # None: the pipeline's single `artifactStore`
    bucket: str | Unknown | None
    key_id: str | Unknown | None  # encryptionKey.id as written; None: no key (AWS-managed aws/s3)
    key_type: str | Unknown | None
    source: Source


@record
class Action:
    """One action of a pipeline stage."""

    stage: str
    name: str
    category: str | Unknown
    owner: str | Unknown
    provider: str | Unknown
    region: str | Unknown | None  # None: the pipeline's region
    role_arn: str | Unknown | None  # the role CodePipeline assumes for the action
    configuration: dict
    input_artifacts: list
    output_artifacts: list
    source: Source
    stage_source: Source | None = None  # where the action's stage is written

    @property
    def label(self) -> str:
        return f"{self.stage}/{self.name}"


@record
class Pipeline:
    """A CodePipeline pipeline with its actions and artifact stores."""

    key: str  # ARN when known, else a symbolic id
    name: str | Unknown
    account: str | Unknown
    region: str | Unknown
    role_arn: str | Unknown | None
    artifact_store: ArtifactStore | None
    artifact_stores: dict | None  # region -> ArtifactStore
    actions: list
    source: Source
    pipeline_type: str | Unknown | None = None
    # `artifactStore` and `artifactStores` both given: AWS rejects the pipeline; kept for the rule to say so
    store_sources: dict = field(default_factory=dict)
    # region -> (where the entry is written, why a condition removed it): artifactStores entries that
    # an Fn::If turned into AWS::NoValue in this deployment
    removed_stores: dict = field(default_factory=dict)

    def action_region(self, action: Action) -> str | Unknown:
        return action.region if action.region is not None else self.region

    @property
    def label(self) -> str:
        if isinstance(self.name, str) and "⟨" not in self.name:
            return self.name
        return self.source.path[1] if len(self.source.path) > 1 else self.key


@record
class Bucket:
    """An S3 bucket."""

    key: str
    name: str | Unknown
    account: str | Unknown
    region: str | Unknown
    source: Source
    versioning: str | Unknown | None = None  # "Enabled" / "Suspended" / None (never enabled)
    encryption_key: str | Unknown | None = None  # default SSE-KMS key id/arn, None when not KMS
    policy: PolicyDoc | None = None  # None: the bucket has no policy
    exists: bool | None = None  # False: the live audit found no such bucket; None: not known


@record
class Key:
    """A KMS key."""

    key: str  # key ARN (possibly with a placeholder key id)
    arn: str | Unknown
    key_id: str | Unknown
    account: str | Unknown
    region: str | Unknown
    source: Source
    policy: PolicyDoc | None = None  # None: not among the inputs
    aliases: list = field(default_factory=list)  # alias names "alias/x"
    aws_managed: bool = False
    # KeyState as KMS reports it ("Enabled", "Disabled", "PendingDeletion", ...); None: not known
    # (templates cannot say; the live audit and snapshots can)
    state: str | Unknown | None = None
    exists: bool | None = None  # False: the live audit found no such key; None: not known


@record
class Role:
    """An IAM role with its trust and identity policies."""

    key: str
    arn: str | Unknown
    name: str | Unknown
    account: str | Unknown
    source: Source
    trust: PolicyDoc | None = None
    inline_policies: list = field(default_factory=list)  # PolicyDoc
    managed_policy_arns: list = field(default_factory=list)
    # False when the inputs cannot have shown every policy of the role (e.g. only a trust file)
    policies_complete: bool = True
    # the managed policy ARN that caps the role's identity permissions; None: the role has no boundary
    permissions_boundary: str | Unknown | None = None
    # tag key -> value (the role's aws:PrincipalTag/... keys); None: not known
    tags: dict | None = None
    # True when ``tags`` is every tag of the role (read from AWS); a template's Tags are not, since
    # CloudFormation adds the stack's tags to the resources it creates
    tags_complete: bool = False
    exists: bool | None = None  # False: the live audit found no such role; None: not known


@record
class ManagedPolicy:
    """A customer-managed (or snapshot-recorded) IAM managed policy."""

    key: str
    arn: str | Unknown
    document: PolicyDoc
    roles: list = field(default_factory=list)  # role names or ARNs it is attached to


@record
class Queue:
    """An SQS queue (an EventBridge dead-letter queue)."""

    key: str
    arn: str | Unknown
    url: str | Unknown
    account: str | Unknown
    region: str | Unknown
    source: Source
    policy: PolicyDoc | None = None
    exists: bool | None = None  # False: the live audit found no such queue; None: not known


@record
class Function:
    """A Lambda function (of an invoke action)."""

    key: str
    arn: str | Unknown
    name: str | Unknown
    account: str | Unknown
    region: str | Unknown
    role_arn: str | Unknown | None
    source: Source


@record
class Project:
    """A CodeBuild project."""

    key: str
    arn: str | Unknown
    name: str | Unknown
    account: str | Unknown
    region: str | Unknown
    service_role: str | Unknown | None
    encryption_key: str | Unknown | None  # None: AWS-managed aws/s3 key (CodeBuild's default)
    source: Source


@record
class Connection:
    """A CodeStar / CodeConnections connection that a source action uses."""

    key: str
    arn: str | Unknown
    name: str | Unknown
    account: str | Unknown
    region: str | Unknown
    source: Source
    provider_type: str | Unknown | None = None  # GitHub, Bitbucket, GitLab, ...
    status: str | Unknown | None = None  # AVAILABLE / PENDING / ERROR; None: not known (templates)
    exists: bool | None = None  # False: the live audit found no such connection; None: not known


@record
class Target:
    """A target of an EventBridge rule."""

    id: str | Unknown
    arn: str | Unknown
    role_arn: str | Unknown | None
    dlq_arn: str | Unknown | None
    source: Source


@record
class EventRule:
    """An EventBridge rule that starts pipelines."""

    key: str
    arn: str | Unknown
    name: str | Unknown
    account: str | Unknown
    region: str | Unknown
    targets: list
    source: Source

    @property
    def label(self) -> str:
        if isinstance(self.name, str) and "⟨" not in self.name:
            return self.name
        return self.source.path[-1] if self.source.path else self.key


SCP = "SERVICE_CONTROL_POLICY"
RCP = "RESOURCE_CONTROL_POLICY"


@record
class OrgPolicy:
    """A service control policy or resource control policy of the organization."""

    key: str  # the policy id (p-...) when known, else where it came from
    kind: str  # SCP or RCP
    name: str
    document: PolicyDoc  # its document is Unknown when the content is not among the inputs
    aws_managed: bool = False


@record
class Organization:
    """What the inputs say about the AWS Organization the accounts belong to: its tree, and which
    SCPs and RCPs are attached where. Ids as Organizations names them: ``r-...`` root, ``ou-...`` OU,
    12 digits an account."""

    id: str | None = None
    root: str | None = None
    management_account: str | None = None
    parents: dict = field(default_factory=dict)  # child id (account or OU) -> parent id (OU or root)
    members: set = field(default_factory=set)  # accounts known to be members
    members_complete: bool = False  # ``members`` is every account (list-accounts, or the live audit)
    policies: dict = field(default_factory=dict)  # policy key -> OrgPolicy
    # (SCP or RCP, target id) -> the keys of the policies attached there, or an Unknown (not readable);
    # a pair that is missing: the inputs do not say
    attached: dict = field(default_factory=dict)
    types: dict = field(default_factory=dict)  # SCP / RCP -> enabled in the organization (True / False)
    sources: dict = field(default_factory=dict)  # (kind, target) -> Source that listed its policies
    source: Source | None = None  # where the organization was first described

    def attach(self, kind: str, target: str, key: str, source: Source | None = None) -> None:
        keys = self.attached.get((kind, target))
        if not isinstance(keys, list):
            keys = self.attached[(kind, target)] = []
        if key not in keys:
            keys.append(key)
        if source is not None:
            self.sources.setdefault((kind, target), source)
        self.types.setdefault(kind, True)


@record
class Notice:
    """Something the user should know that is not a finding: a skipped file, an unbound policy."""

    file: str
    message: str


@record
class Suppression:
    """A ``Metadata: pipelint: ignore: [{id, reason}]`` entry, a ``# pipelint: ignore`` comment in a
    ``.tf`` file, or a config ``suppress`` entry.

    It covers findings of rule ids starting with ``rule`` located in ``file`` under logical ``prefix``
    (``()`` for a template-level entry, ``("Resources", LogicalId)`` for a resource-level one)."""

    rule: str
    file: str | None
    prefix: tuple
    reason: str | None
    source: Source
    resource: str | None = None  # config entries may name a resource instead of a place
    # Terraform comments: a block's instances (resource addresses, each a logical-path prefix, in any
    # file: a module block's comment covers the resources of every instance of the module), and the
    # block's lines in ``file`` (findings located there, e.g. at a policy_document statement)
    prefixes: tuple = ()
    span: tuple | None = None


@record
class World:
    """Every resource of the inputs, merged, with the notices and files of the run."""

    pipelines: list = field(default_factory=list)
    buckets: dict = field(default_factory=dict)  # key -> Bucket (key: bucket name when known)
    keys: dict = field(default_factory=dict)  # key -> Key
    aliases: dict = field(default_factory=dict)  # "arn:aws:kms:REGION:ACCT:alias/NAME" -> key ARN
    roles: dict = field(default_factory=dict)
    managed_policies: dict = field(default_factory=dict)  # ARN -> ManagedPolicy
    queues: dict = field(default_factory=dict)
    functions: dict = field(default_factory=dict)
    projects: dict = field(default_factory=dict)
    connections: dict = field(default_factory=dict)
    event_rules: list = field(default_factory=list)
    notices: list = field(default_factory=list)
    files: list = field(default_factory=list)  # every input file read
    suppressions: list = field(default_factory=list)  # Suppression
    org_id: str | None = None
    our_accounts: tuple = ()
    organization: Organization | None = None  # None: the inputs say nothing of the organization

    def org(self) -> Organization:
        """The organization, described on first use."""
        if self.organization is None:
            self.organization = Organization(id=self.org_id)
        return self.organization

    # -- merging -------------------------------------------------------------------------------
    def add(self, table: str, resource: Any) -> Any:
        """Add ``resource`` to ``table``; when its key is already present, fill the gaps of the first."""
        store = getattr(self, table)
        old = store.get(resource.key)
        if old is None:
            store[resource.key] = resource
            return resource
        for name, value in vars(resource).items():
            current = getattr(old, name)
            if current is None or isinstance(current, Unknown) or current == [] or current == {}:
                if value is not None and not (isinstance(value, Unknown) and current is not None):
                    setattr(old, name, value)
        return old

    # -- look-ups rules use ----------------------------------------------------------------------
    def role(self, arn: Any) -> Role | None:
        return self.roles.get(arn) if isinstance(arn, str) else None

    def bucket(self, name: Any) -> Bucket | None:
        return self.buckets.get(name) if isinstance(name, str) else None

    def key(self, ref: Any, account: Any = None, region: Any = None) -> Key | None:
        """A key by ARN, alias ARN, or (with account and region) by key id or alias name."""
        if not isinstance(ref, str):
            return None
        if ref in self.keys:
            return self.keys[ref]
        if ref in self.aliases:
            return self.keys.get(self.aliases[ref])
        if isinstance(account, str) and isinstance(region, str):
            partition = "aws"
            if ref.startswith("alias/"):
                target = self.aliases.get(f"arn:{partition}:kms:{region}:{account}:{ref}")
                return self.keys.get(target) if target else None
            return self.keys.get(f"arn:{partition}:kms:{region}:{account}:key/{ref}")
        return None

    def managed_policy(self, arn: Any) -> ManagedPolicy | None:
        return self.managed_policies.get(arn) if isinstance(arn, str) else None

    def projects_named(self, name: Any) -> list:
        """The CodeBuild projects called ``name``, in input order (a scan of every project per action
        was quadratic at scale)."""
        if not isinstance(name, str):
            return []
        return self._index("projects", "by_name",
                           lambda p: p.name if isinstance(p.name, str) else None).get(name, [])

    def generated_keys(self, account: Any, region: Any) -> list:
        """Keys in ``account``/``region`` whose id CloudFormation generates (a placeholder id)."""
        index = self._index("keys", "generated", lambda k: (k.account, k.region)
                            if isinstance(k.key_id, str) and "⟨" in k.key_id else None)
        return index.get((account, region), []) if isinstance(account, str) and isinstance(region, str) else []

    def _index(self, table: str, name: str, grouping) -> dict:
        """``table``'s resources grouped by ``grouping`` (None: left out); built on first use and rebuilt
        when resources were added since."""
        resources = getattr(self, table)
        cached = self.__dict__.get(f"_index_{table}_{name}")
        if cached is None or cached[0] != len(resources):
            groups: dict = {}
            for resource in resources.values():
                group = grouping(resource)
                if group is not None:
                    groups.setdefault(group, []).append(resource)
            cached = (len(resources), groups)
            self.__dict__[f"_index_{table}_{name}"] = cached
        return cached[1]

    def all_resources(self) -> Iterator[Any]:
        yield from self.pipelines
        for table in ("buckets", "keys", "roles", "queues", "functions", "projects", "connections"):
            yield from getattr(self, table).values()
        yield from self.event_rules
