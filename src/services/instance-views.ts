import type { InstanceEntity } from '../persistence/entities/instance.entity.js';
import type { StoredQrCode } from '../persistence/redis/qr-code-store.js';

export const INTEGRATION = 'WHATSAPP-BAILEYS';

export interface InstanceSummary {
  id: string;
  name: string;
  phone: string | null;
  status: InstanceEntity['status'];
  webhookUrl: string | null;
  createdAt: Date;
  active: boolean;
}

export interface InstanceDetail extends InstanceSummary {
  statusReason: string | null;
  integration: typeof INTEGRATION;
  profilePicUrl: string | null;
  updatedAt: Date;
  /** Only while `status` is `qr`: the code to scan now. */
  qrCode?: QrCodeView;
  /** Subscribed webhook events; null means all. */
  webhookEvents: string[] | null;
  /** The instance's webhook signing secret (tenant views only). */
  webhookSecret?: string | null;
}

export interface QrCodeView {
  /** `data:image/png;base64,...` */
  base64: string;
  /** The raw QR string. */
  code: string;
  /** Seconds the code lives. */
  expiry: number;
  /** `qr_attempt_<n>`. */
  attemptId: string;
  /** n, 1-based. */
  attempt: number;
  /** Codes per cycle: after the last one the instance waits for regenerate-qr. */
  maxAttempts: number;
}

/** The QR as the API and the events show it. */
export function toQrView(qr: StoredQrCode): QrCodeView {
  return { base64: qr.base64, code: qr.code, expiry: qr.expiry, attemptId: qr.attemptId, attempt: qr.attempt, maxAttempts: qr.maxAttempts };
}

export interface CreatedInstance {
  instanceId: string;
  instanceName: string;
  status: InstanceEntity['status'];
  integration: typeof INTEGRATION;
  webhookUrl: string | null;
  /** The webhook signing secret, returned on create (and in the detail). */
  webhookSecret?: string | null;
}

export interface AdminInstanceView extends InstanceDetail {
  tenantId: string;
  nodeId: string | null;
}

export function toSummary(i: InstanceEntity): InstanceSummary {
  return {
    id: i.id,
    name: i.name,
    phone: i.phone,
    status: i.status,
    webhookUrl: i.webhookUrl,
    createdAt: i.createdAt,
    active: i.active,
  };
}

export function toDetail(i: InstanceEntity): InstanceDetail {
  return {
    ...toSummary(i),
    statusReason: i.statusReason,
    integration: INTEGRATION,
    profilePicUrl: i.profilePicUrl,
    updatedAt: i.updatedAt,
    webhookEvents: i.webhookEvents,
  };
}

export function toCreated(i: InstanceEntity): CreatedInstance {
  return { instanceId: i.id, instanceName: i.name, status: i.status, integration: INTEGRATION, webhookUrl: i.webhookUrl };
}

export function toAdminView(i: InstanceEntity): AdminInstanceView {
  return { ...toDetail(i), tenantId: i.tenantId, nodeId: i.nodeId };
}
