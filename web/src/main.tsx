import { render } from "preact";
import { App } from "./app";
import "./styles.css";
import "./campaigns.css";

render(<App />, document.getElementById("app")!);
