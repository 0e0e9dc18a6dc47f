import type { OpenApiDocument } from "./fuzzedRoutes.js";

/** The OpenAPI document a running server at `baseUrl` serves. */
export async function openApiDocumentOf(baseUrl: string): Promise<OpenApiDocument> {
  const response = await fetch(new URL("/openapi.json", baseUrl));
  if (!response.ok) throw new Error(`GET /openapi.json answered ${response.status}`);
  return (await response.json()) as OpenApiDocument;
}
