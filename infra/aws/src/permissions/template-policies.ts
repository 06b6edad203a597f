import { busArn, logGroupArn, queueArn, ruleArn, type ArnScope } from './iam-actions';

/** The tag that names the Stitch service an ECS task role is for. */
export const SERVICE_TAG = 'stitch:service';

/** A synthesized CloudFormation template (`Template.toJSON()`), as far as this check reads it. */
export interface CfnTemplate {
  readonly Resources?: Readonly<Record<string, CfnResource>>;
}

interface CfnResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
}

/** One statement of a role's identity policies, its intrinsics resolved to plain strings. */
export interface PolicyStatement {
  /** Where it was written, for messages: `<policy logical id> statement <n>`. */
  readonly source: string;
  readonly Effect: string;
  readonly Action?: readonly string[];
  readonly NotAction?: readonly string[];
  readonly Resource?: readonly string[];
  readonly NotResource?: readonly string[];
  readonly Condition?: unknown;
}

/**
 * The statements of every identity policy of the one IAM role tagged `stitch:service` = `service`: the policies that
 * name it in `Roles` (CDK's DefaultPolicy from grant* and addToPolicy), its inline `Policies`, and the managed policies
 * of the template it attaches. ARNs are resolved for `scope`; an intrinsic this cannot resolve is an error naming it.
 */
export function statementsOf(template: CfnTemplate, service: string, scope: ArnScope): PolicyStatement[] {
  const resources = template.Resources ?? {};
  const roles = Object.entries(resources).filter(([, resource]) => resource.Type === 'AWS::IAM::Role' && taggedFor(resource, service));
  if (roles.length === 0) {
    throw new Error(
      `no IAM role in the template is tagged ${SERVICE_TAG}=${service}: the service's task role must carry that tag for its permissions to be checked`,
    );
  }
  if (roles.length > 1) {
    throw new Error(
      `${roles.length} IAM roles are tagged ${SERVICE_TAG}=${service} (${roles.map(([id]) => id).join(', ')}): tag only the service's task role`,
    );
  }
  const [roleId, role] = roles[0] as [string, CfnResource];
  const resolver = new Resolver(resources, scope);
  if (role.Properties?.['PermissionsBoundary'] !== undefined)
    throw new Error(`role ${roleId}: a PermissionsBoundary is not supported by this check`);

  const documents: Array<{ source: string; document: unknown }> = [];
  const attached = new Set<string>();
  for (const [id, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::IAM::Policy' && resource.Type !== 'AWS::IAM::ManagedPolicy') continue;
    const named = resource.Properties?.['Roles'];
    if (Array.isArray(named) && named.some((entry) => isRefTo(entry, roleId))) {
      documents.push({ source: id, document: resource.Properties?.['PolicyDocument'] });
      attached.add(id);
    }
  }
  const inline = role.Properties?.['Policies'];
  if (Array.isArray(inline)) {
    inline.forEach((policy: { PolicyName?: unknown; PolicyDocument?: unknown }, index) =>
      documents.push({ source: `${roleId} inline policy ${String(policy.PolicyName ?? index)}`, document: policy.PolicyDocument }),
    );
  }
  const managed = role.Properties?.['ManagedPolicyArns'];
  if (Array.isArray(managed)) {
    for (const arn of managed) {
      const id = isObject(arn) && typeof arn['Ref'] === 'string' ? arn['Ref'] : undefined;
      if (!id || resources[id]?.Type !== 'AWS::IAM::ManagedPolicy')
        throw new Error(`role ${roleId}: managed policy ${JSON.stringify(arn)} is not in the template, so its statements cannot be read`);
      if (!attached.has(id)) documents.push({ source: id, document: resources[id]?.Properties?.['PolicyDocument'] });
      attached.add(id);
    }
  }
  return documents.flatMap(({ source, document }) => statementsIn(document, source, resolver));
}

/**
 * Whether the Allow statements allow `action` on `resource`, with IAM's matching: actions compared without regard to
 * case, `*` and `?` wildcards in both, and in a resource ARN a wildcard stays within its colon-separated segment unless
 * it ends the segment (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html).
 * Deny, NotAction, NotResource, conditions and policy variables change the answer in ways this check does not model:
 * each is an error naming its statement rather than a guess.
 */
export function isAllowed(statements: readonly PolicyStatement[], action: string, resource: string): boolean {
  for (const statement of statements) {
    const unsupported = (what: string) => new Error(`${statement.source}: ${what} is not supported by this permission check`);
    if (statement.Effect !== 'Allow') throw unsupported(`Effect ${statement.Effect}`);
    if (statement.NotAction) throw unsupported('NotAction');
    if (statement.NotResource) throw unsupported('NotResource');
    if (statement.Condition !== undefined) throw unsupported('a Condition');
    if (!statement.Action || !statement.Resource) throw new Error(`${statement.source}: a statement needs both Action and Resource`);
    const variable = statement.Resource.find((pattern) => pattern.includes('${'));
    if (variable) throw unsupported(`the policy variable in ${variable}`);
  }
  return statements.some(
    (statement) =>
      (statement.Action ?? []).some((pattern) => actionPattern(pattern).test(action)) &&
      (statement.Resource ?? []).some((pattern) => resourcePattern(pattern).test(resource)),
  );
}

function actionPattern(pattern: string): RegExp {
  const body = [...pattern].map((char) => (char === '*' ? '.*' : char === '?' ? '.' : escape(char))).join('');
  return new RegExp(`^${body}$`, 'i');
}

function resourcePattern(pattern: string): RegExp {
  const chars = [...pattern];
  const body = chars
    .map((char, index) => {
      if (char === '?') return '[^:]';
      if (char !== '*') return escape(char);
      const endsSegment = index === chars.length - 1 || chars[index + 1] === ':';
      return endsSegment ? '.*' : '[^:]*';
    })
    .join('');
  return new RegExp(`^${body}$`);
}

function escape(char: string): string {
  return char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function statementsIn(document: unknown, source: string, resolver: Resolver): PolicyStatement[] {
  if (!isObject(document)) throw new Error(`${source}: no PolicyDocument`);
  const listed = document['Statement'];
  const statements = Array.isArray(listed) ? listed : [listed];
  return statements.map((statement: unknown, index) => {
    const at = `${source} statement ${index + 1}`;
    if (!isObject(statement) || typeof statement['Effect'] !== 'string') throw new Error(`${at}: not a statement with an Effect`);
    const list = (field: string) => {
      const value = statement[field];
      if (value === undefined) return {};
      const values = Array.isArray(value) ? value : [value];
      return { [field]: values.map((entry: unknown) => resolver.resolve(entry, `${at} ${field}`)) };
    };
    return {
      source: at,
      Effect: statement['Effect'],
      ...list('Action'),
      ...list('NotAction'),
      ...list('Resource'),
      ...list('NotResource'),
      ...(statement['Condition'] !== undefined ? { Condition: statement['Condition'] } : {}),
    };
  });
}

/** CloudFormation's intrinsics, as far as the shop's policies use them, evaluated for one partition, region and account. */
class Resolver {
  constructor(
    private readonly resources: Readonly<Record<string, CfnResource>>,
    private readonly scope: ArnScope,
  ) {}

  resolve(value: unknown, at: string): string {
    if (typeof value === 'string') return value;
    if (isObject(value) && Object.keys(value).length === 1) {
      const [fn, argument] = Object.entries(value)[0] as [string, unknown];
      const fail = (why: string) => new Error(`${at}: cannot resolve ${fn} ${JSON.stringify(argument)}: ${why}`);
      switch (fn) {
        case 'Ref':
          if (typeof argument !== 'string') throw fail('not a name');
          return this.ref(argument, fail);
        case 'Fn::GetAtt': {
          const [id, attribute] = typeof argument === 'string' ? argument.split(/\.(.*)/s) : Array.isArray(argument) ? argument : [];
          if (typeof id !== 'string' || typeof attribute !== 'string') throw fail('not [logical id, attribute]');
          return this.getAtt(id, attribute, fail);
        }
        case 'Fn::Join': {
          const [delimiter, parts] = Array.isArray(argument) ? argument : [];
          if (typeof delimiter !== 'string' || !Array.isArray(parts)) throw fail('not [delimiter, [values]]');
          return parts.map((part: unknown) => this.resolve(part, at)).join(delimiter);
        }
        case 'Fn::Sub': {
          const [text, variables] = typeof argument === 'string' ? [argument, {}] : Array.isArray(argument) ? argument : [];
          if (typeof text !== 'string' || !isObject(variables)) throw fail('not a string or [string, {variables}]');
          return text.replace(/\$\{([^}]*)\}/g, (_match, name: string) => {
            if (name.startsWith('!')) return `\${${name.slice(1)}}`;
            if (name in variables) return this.resolve(variables[name], at);
            const [id, attribute] = name.split(/\.(.*)/s);
            return attribute ? this.getAtt(id as string, attribute, fail) : this.ref(name, fail);
          });
        }
        default:
          throw fail('this intrinsic is not supported by the permission check');
      }
    }
    throw new Error(`${at}: cannot resolve ${JSON.stringify(value)}`);
  }

  private ref(name: string, fail: (why: string) => Error): string {
    const { partition, region, account } = this.scope;
    switch (name) {
      case 'AWS::Partition':
        return partition;
      case 'AWS::Region':
        return region;
      case 'AWS::AccountId':
        return account;
      case 'AWS::URLSuffix':
        return partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
    }
    if (name.startsWith('AWS::')) throw fail(`the pseudo parameter ${name} is not supported`);
    const resource = this.resource(name, fail);
    // An event bus's Ref is its name; other resources' Refs (a queue's URL, …) are not ARNs a policy names.
    if (resource.Type === 'AWS::Events::EventBus') return this.property(name, resource, 'Name', fail);
    throw fail(`Ref of a ${resource.Type} is not supported`);
  }

  private getAtt(id: string, attribute: string, fail: (why: string) => Error): string {
    const resource = this.resource(id, fail);
    const name = (property: string) => this.property(id, resource, property, fail);
    switch (`${resource.Type}.${attribute}`) {
      case 'AWS::SQS::Queue.Arn':
        return queueArn(name('QueueName'), this.scope);
      case 'AWS::SQS::Queue.QueueName':
        return name('QueueName');
      case 'AWS::Events::EventBus.Arn':
        return busArn(name('Name'), this.scope);
      case 'AWS::Events::EventBus.Name':
        return name('Name');
      case 'AWS::Logs::LogGroup.Arn':
        return logGroupArn(name('LogGroupName'), this.scope);
      case 'AWS::Events::Rule.Arn': {
        const bus = resource.Properties?.['EventBusName'];
        return ruleArn(bus === undefined ? undefined : this.resolve(bus, `${id} EventBusName`), name('Name'), this.scope);
      }
      default:
        throw fail(`attribute ${attribute} of a ${resource.Type} is not supported`);
    }
  }

  private resource(id: string, fail: (why: string) => Error): CfnResource {
    const resource = this.resources[id];
    if (!resource) throw fail(`no resource ${id} in the template`);
    return resource;
  }

  private property(id: string, resource: CfnResource, property: string, fail: (why: string) => Error): string {
    const value = resource.Properties?.[property];
    // Without it CloudFormation makes up a name at deploy time, which no check here can know.
    if (value === undefined) throw fail(`${id} has no ${property}`);
    return this.resolve(value, `${id} ${property}`);
  }
}

function taggedFor(resource: CfnResource, service: string): boolean {
  const tags = resource.Properties?.['Tags'];
  return Array.isArray(tags) && tags.some((tag: { Key?: unknown; Value?: unknown }) => tag?.Key === SERVICE_TAG && tag.Value === service);
}

function isRefTo(value: unknown, id: string): boolean {
  return isObject(value) && value['Ref'] === id;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
