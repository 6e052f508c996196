/** The public API, as any client sees it: same-origin JSON with the `auth-session` cookie. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  /** The field a validation error names (`details[].path`), when there is one. */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    if (!Array.isArray(this.details)) return out;
    for (const d of this.details as Array<{ path?: unknown; message?: unknown; field?: unknown }>) {
      const raw = Array.isArray(d.path) ? d.path.join('.') : typeof d.path === 'string' ? d.path : typeof d.field === 'string' ? d.field : '';
      const field = raw.replace(/^body\./, '');
      if (field && typeof d.message === 'string' && !out[field]) out[field] = d.message;
    }
    return out;
  }
}

interface ErrorBody {
  error?: { code?: string; message?: string; details?: unknown };
}

/** Calls the API; resolves to the whole JSON body, throws ApiError with the API's own message otherwise. */
export async function apiRaw<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: { accept: 'application/json', ...headers } };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch (err) {
    throw new ApiError(0, 'NETWORK_ERROR', err instanceof Error ? err.message : String(err));
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    // A session that ended elsewhere (logout in another tab, expiry): the app goes back to the login screen.
    if (res.status === 401 && !path.startsWith('/auth/')) window.dispatchEvent(new Event('zap:unauthorized'));
    const e = (json as ErrorBody | null)?.error;
    throw new ApiError(res.status, e?.code ?? `HTTP_${res.status}`, e?.message ?? (text.slice(0, 200) || res.statusText || `HTTP ${res.status}`), e?.details);
  }
  return json as T;
}

/** Calls the API and returns `data`. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const json = await apiRaw<{ data: T }>(method, path, body);
  return json.data;
}

export const enc = encodeURIComponent;

export type InstanceStatus = 'created' | 'qr' | 'connected' | 'disconnected' | 'banned';

export interface QrCode {
  base64: string;
  code: string;
  expiry: number;
  attemptId: string;
  /** This code's number in the cycle (1-based) and the codes per cycle (QR_MAX_ATTEMPTS). */
  attempt: number;
  maxAttempts: number;
}

export interface Instance {
  id: string;
  name: string;
  phone: string | null;
  status: InstanceStatus;
  statusReason?: string | null;
  webhookUrl: string | null;
  webhookEvents?: string[] | null;
  webhookSecret?: string | null;
  createdAt: string;
  updatedAt?: string;
  qrCode?: QrCode;
  /** While pairing by phone code: the code to type on the phone. */
  pairingCode?: PairingCode;
  profilePicUrl?: string | null;
}

export interface PairingCode {
  /** `ABCD-EFGH` */
  code: string;
  /** ISO 8601 */
  expiresAt: string;
}

export interface AdminInstance extends Instance {
  tenantId: string;
  nodeId: string | null;
}

export interface Me {
  user: { id: string; email: string; role: 'owner' | 'platform_admin' };
  tenant: { id: string; name: string; plan: Plan; systemId: number };
}

export type Plan = 'starter' | 'pro' | 'enterprise';
/** Instances each plan allows (README: "Plans allow 1 (starter), 5 (pro) or 50 (enterprise)"). */
export const PLAN_LIMITS: Record<Plan, number> = { starter: 1, pro: 5, enterprise: 50 };

export interface Chat {
  jid: string;
  name: string | null;
  phone: string | null;
  isGroup: boolean;
  unreadCount: number;
  lastMessageTime: string | null;
  archived: boolean;
  pinned: boolean;
  muted: boolean;
}

export interface Message {
  id: string;
  waMessageId: string;
  chatJid: string;
  fromMe: boolean;
  senderJid: string | null;
  pushName: string | null;
  type: string;
  text: string | null;
  caption: string | null;
  media: { status: string; mimetype: string | null; fileName: string | null; size: number | null; error: string | null } | null;
  status: string;
  error: string | null;
  timestamp: string | null;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
  totalPages: number;
}

export interface Delivery {
  id: string;
  eventId: string;
  event: string;
  url: string;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  createdAt: string;
}

/** One attempt of a delivery (GET …/webhook-deliveries/{id}). */
export interface DeliveryAttempt {
  at: string;
  statusCode: number | null;
  error: string | null;
  durationMs: number | null;
  responseBody: string | null;
}

export interface DeliveryDetail extends Delivery {
  attemptHistory: DeliveryAttempt[];
}

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  key?: string;
}

export interface Tenant {
  id: string;
  name: string;
  plan: Plan;
  instanceLimit: number;
  instanceCount: number;
  userCount: number;
  createdAt: string;
}

/** One event of the live stream (the webhook body). */
export interface LiveEvent {
  id: string;
  event: string;
  /** The instance the event is about (every stream's envelope names it). */
  instance?: { instanceId: string; instanceName?: string };
  timestamp: string;
  sequence: number;
  data: Record<string, unknown>;
}

export const WEBHOOK_EVENTS = [
  'connection.update',
  'messages.upsert',
  'messages.update',
  'messages.delete',
  'groups.update',
  'groups.upsert',
  'group-participants.update',
  'contacts.update',
  'presence.update',
] as const;
