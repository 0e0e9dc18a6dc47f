import type { ErrorBody } from "../../../server/schemas/errors.js";
import { ApiError } from "./ApiError";

export interface JsonRequest {
  method?: "GET" | "POST" | "PUT";
  /** Sent as JSON; a write always sends a JSON body (the web server refuses other content types, against CSRF). */
  body?: unknown;
  signal?: AbortSignal;
  /** A bearer credential for another origin (the widget's customer token); then no cookie is sent. */
  bearer?: string;
}

/**
 * Calls a JSON route and returns its body, or throws an {@link ApiError} carrying the server's error, or a
 * `NetworkError` when no answer came back.
 */
export async function requestJson<T>(url: string, request: JsonRequest = {}): Promise<T> {
  const method = request.method ?? "GET";
  let response: Response;
  try {
    const headers: Record<string, string> = {};
    if (method !== "GET") headers["content-type"] = "application/json";
    if (request.bearer) headers.authorization = `Bearer ${request.bearer}`;
    response = await fetch(url, {
      method,
      headers,
      body: method === "GET" ? undefined : JSON.stringify(request.body ?? {}),
      credentials: request.bearer ? "omit" : "same-origin",
      signal: request.signal,
    });
  } catch (error) {
    if (request.signal?.aborted) throw error;
    throw new ApiError(0, "NetworkError", `No answer from ${new URL(url, location.href).host}`);
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const error = body as Partial<ErrorBody> | undefined;
    throw new ApiError(
      response.status,
      error?.code ?? "HttpError",
      error?.message ?? `HTTP ${response.status}`,
      error?.details,
    );
  }
  return body as T;
}
