"""Start the chat UI on the index named by the settings (ASSISTANT_DATA_DIR, ASSISTANT_HOST, ASSISTANT_PORT)."""
import assistant  # noqa: F401  (first: sets the offline switches)
from assistant.ui import launch

if __name__ == "__main__":
    launch(assistant.Assistant.open())
