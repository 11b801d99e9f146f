/** @jsxImportSource hono/jsx */
import type { FC } from "hono/jsx";

// A readable API reference rendered on the server from the OpenAPI document: no third-party script or
// CDN, so the strict CSP holds and nothing about our readers leaks to another origin.

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: Array<{ name: string; in: string; required?: boolean; description?: string }>;
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
  security?: unknown[];
}

export interface OpenApiLike {
  info: { title: string; version: string; description?: string };
  paths?: Record<string, Record<string, Operation | undefined> | undefined>;
  components?: { schemas?: Record<string, unknown> };
}

const METHODS = ["get", "post", "put", "patch", "delete"] as const;

function schemaText(schema: unknown): string {
  return JSON.stringify(schema, null, 2);
}

const Endpoint: FC<{ method: string; path: string; operation: Operation }> = ({ method, path, operation }) => (
  <section class="op" id={`${method}-${path}`}>
    <h3>
      <span class={`method ${method}`}>{method.toUpperCase()}</span> <code>{path}</code>
    </h3>
    {operation.summary ? <p>{operation.summary}</p> : null}
    {operation.description ? <p>{operation.description}</p> : null}
    {operation.parameters?.length ? (
      <table>
        <caption>Parameters</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">In</th>
            <th scope="col">Required</th>
            <th scope="col">Description</th>
          </tr>
        </thead>
        <tbody>
          {operation.parameters.map((p) => (
            <tr>
              <td>
                <code>{p.name}</code>
              </td>
              <td>{p.in}</td>
              <td>{p.required ? "yes" : "no"}</td>
              <td>{p.description ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    ) : null}
    {operation.requestBody?.content
      ? Object.entries(operation.requestBody.content).map(([type, body]) => (
          <details>
            <summary>Request body ({type})</summary>
            <pre>{schemaText(body.schema)}</pre>
          </details>
        ))
      : null}
    <ul class="responses">
      {Object.entries(operation.responses ?? {}).map(([status, response]) => (
        <li>
          <strong>{status}</strong> {response.description ?? ""}
          {response.content
            ? Object.entries(response.content).map(([type, body]) => (
                <details>
                  <summary>{type}</summary>
                  <pre>{schemaText(body.schema)}</pre>
                </details>
              ))
            : null}
        </li>
      ))}
    </ul>
  </section>
);

export const ApiReference: FC<{ document: OpenApiLike }> = ({ document }) => {
  const operations = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    METHODS.flatMap((method) => {
      const operation = item?.[method];
      return operation ? [{ method, path, operation }] : [];
    }),
  );
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{`${document.info.title} API reference`}</title>
      </head>
      <body>
        <a href="#main">Skip to content</a>
        <header>
          <h1>
            {document.info.title} API <small>v{document.info.version}</small>
          </h1>
          {document.info.description ? <p>{document.info.description}</p> : null}
          <p>
            Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1). Errors are{" "}
            <code>application/problem+json</code> (RFC 9457) with a stable <code>code</code>.
          </p>
        </header>
        <nav aria-label="Endpoints">
          <ul>
            {operations.map(({ method, path }) => (
              <li>
                <a href={`#${method}-${path}`}>
                  {method.toUpperCase()} {path}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main">
          <h2>Endpoints</h2>
          {operations.map((op) => (
            <Endpoint {...op} />
          ))}
          {document.components?.schemas ? (
            <>
              <h2>Schemas</h2>
              {Object.entries(document.components.schemas).map(([name, schema]) => (
                <details id={`schema-${name}`}>
                  <summary>{name}</summary>
                  <pre>{schemaText(schema)}</pre>
                </details>
              ))}
            </>
          ) : null}
        </main>
      </body>
    </html>
  );
};
