import type { ErrorView } from '../preload/api';

/**
 * Every stable error code of the app. The renderer translates each one (renderer/lib/i18n);
 * codes are part of the contract and never change meaning.
 */
export const ERROR_CODES = [
  'AUTH_CALLBACK_INVALID',
  'AUTH_CALLBACK_UNKNOWN',
  'AUTH_NO_PENDING_SIGN_IN',
  'AUTH_SIGN_IN_EXPIRED',
  'AUTH_DENIED',
  'AUTH_PROVIDER_ERROR',
  'AUTH_EXCHANGE_METHOD_MISMATCH',
  'AUTH_EXCHANGE_REJECTED',
  'AUTH_EXCHANGE_NOT_ALLOWED',
  'AUTH_EXCHANGE_IN_PROGRESS',
  'AUTH_KEY_REVOKED',
  'AUTH_BROWSER_OPEN_FAILED',
  'AUTH_LOOPBACK_FAILED',
  'AUTH_NOT_CONFIGURED',
  'AUTH_DISCOVERY_FAILED',
  'AUTH_ISSUER_MISMATCH',
  'AUTH_SESSION_ENDED',
  'AUTH_REFRESH_UNAVAILABLE',
  'SETTINGS_INVALID',
  'SETTINGS_LOCKED',
  'HTTP_CLIENT_ERROR',
  'HTTP_SERVER_ERROR',
  'HTTP_RATE_LIMITED',
  'HTTP_BAD_RESPONSE',
  'HTTP_RESPONSE_TOO_LARGE',
  'HTTP_TIMEOUT',
  'NETWORK_OFFLINE',
  'NETWORK_PROXY',
  'NETWORK_CERTIFICATE',
  'CHAT_NOT_SIGNED_IN',
  'CHAT_OUT_OF_CREDITS',
  'CHAT_RATE_LIMITED',
  'CHAT_STREAM_ERROR',
  'CHAT_STREAM_INCOMPLETE',
  'CHAT_NOT_FOUND',
  'CHAT_BUSY',
  'CHAT_STOPPED',
  'CHAT_BAD_REQUEST',
  /** 413: the request (the history with every attached file sent again) is over the provider's limit. */
  'CHAT_REQUEST_TOO_LARGE',
  'CHAT_SETTINGS_INVALID',
  /** A conversation file is damaged or unreadable (moved aside when damaged); not the sign-in. */
  'CHAT_DAMAGED',
  'ATTACHMENT_TOO_LARGE',
  'ATTACHMENT_TOO_MANY',
  'ATTACHMENT_TYPE_MISMATCH',
  'ATTACHMENT_UNSUPPORTED',
  'ATTACHMENT_TEXT_TOO_LARGE',
  'ATTACHMENT_MODEL_UNSUPPORTED',
  'ATTACHMENT_NOT_FOUND',
  'STORE_WRITE_FAILED',
  'STORE_CORRUPT',
  'EXPORT_WRITE_FAILED',
  'IPC_INVALID_ARGUMENT',
  'IPC_FORBIDDEN_SENDER',
  'SHELL_URL_REJECTED',
  'CONFIG_INVALID',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Details that may cross to the renderer. Never put a secret here. */
export interface ErrorDetails {
  readonly status?: number;
  readonly retryAfter?: number;
  readonly providerMessage?: string;
  /** The settings field a `SETTINGS_INVALID` error is about. */
  readonly field?: string;
  /** The attached file an `ATTACHMENT_*` error is about (its name, as the user gave it). */
  readonly file?: string;
  /** Why a `STORE_WRITE_FAILED` write failed: `disk-full`, `no-permission` or `disk-error`. */
  readonly reason?: 'disk-full' | 'no-permission' | 'disk-error';
}

/**
 * The one error class of the app: a stable `code`, safe `details`, and the original failure in
 * `cause` (kept in main, never serialized). Messages are codes, not prose: the renderer words
 * them in the user's language, so no secret can leak through a message.
 */
export class LatchkeyError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;
  constructor(code: ErrorCode, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(code, options);
    this.name = 'LatchkeyError';
    this.code = code;
    this.details = details;
  }
}

/** Converts anything thrown into the serializable view that crosses to the renderer. */
export function toErrorView(error: unknown): ErrorView {
  if (error instanceof LatchkeyError) {
    const { status, retryAfter, providerMessage, field, file, reason } = error.details;
    return {
      code: error.code,
      ...(status !== undefined && { status }),
      ...(retryAfter !== undefined && { retryAfter }),
      ...(providerMessage !== undefined && { providerMessage }),
      ...(field !== undefined && { field }),
      ...(file !== undefined && { file }),
      ...(reason !== undefined && { reason }),
    };
  }
  return { code: 'INTERNAL' };
}

/** For exhaustive switches over unions. */
export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${String(value)}`);
}
