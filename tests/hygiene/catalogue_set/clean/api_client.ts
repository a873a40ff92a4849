export async function call(path: string, token: string) {
  const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
  return fetch(`https://api.acme-games.io${path}`, { headers });
}
// Authorization: Bearer <your-token>
