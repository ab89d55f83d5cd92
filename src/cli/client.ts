/** The CLI's HTTP client and errors; they live in common/ so that backends/ can use them too. */
export {
  ApiClient,
  ApiError,
  CliError,
  type RequestOptions,
  readEvents,
} from "../common/http-client.ts";
