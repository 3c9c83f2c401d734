/** What the Alibaba tests share: a key pair, a fixed moment, and the SDK error's fields. */
import type Ecs from '@alicloud/ecs20140526';
import { ManualClock, startAlibabaEmulator, type AlibabaEmulator, type AlibabaEmulatorOptions } from '../../local/emulators/alibaba';
import { emulatorEcsClient, type EcsClientFor } from '../../local/emulators/alibaba/clients';

export const TEST_KEY = { accessKeyId: 'LTAI5tTestKeyForEmulator', accessKeySecret: 'test-only-secret-for-the-local-emulator' };
export const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);
export const DAY = 86_400_000;

export function startTestEmulator(options: Partial<AlibabaEmulatorOptions> = {}): Promise<AlibabaEmulator> {
  return startAlibabaEmulator({ accessKeys: [TEST_KEY], clock: new ManualClock(NOW), ...options });
}

export function sdkClient(emulator: AlibabaEmulator, options: Partial<EcsClientFor> = {}): Ecs {
  return emulatorEcsClient(emulator.endpoint, { ...TEST_KEY, ...options });
}

/** What the SDK's thrown error says: its class, `code`, HTTP status and the body Alibaba sent. */
export interface SdkFailure {
  type: string;
  code: string | undefined;
  statusCode: number | undefined;
  data: Record<string, unknown> | undefined;
}

export async function failureOf(call: Promise<unknown>): Promise<SdkFailure> {
  try {
    await call;
  } catch (error: unknown) {
    const fields = error as { code?: string; statusCode?: number; data?: Record<string, unknown> };
    return { type: (error as Error).constructor.name, code: fields.code, statusCode: fields.statusCode, data: fields.data };
  }
  throw new Error('the call succeeded');
}
