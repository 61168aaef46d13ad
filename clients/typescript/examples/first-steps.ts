import { createClient } from "@eventdata/client";
const api = createClient({ baseUrl: "http://127.0.0.1:8000" });
const { data, error } = await api.GET("/v1/events", { params: { query: { event_type: ["ASSAULT"] } } });
if (error) throw new Error(`${error.type}: ${error.detail}`);
for (const event of data) console.log(event.start_date, event.title);
