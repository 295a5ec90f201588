import { render } from "preact";
import { App } from "./app";
import "./styles.css";
import "./campaigns.css";
import "./office.css";

render(<App />, document.getElementById("app")!);
