// The example service: a function that reports which environment answered.
export const handler = async () => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ ok: true, environment: process.env.ENVIRONMENT_NAME }),
});
