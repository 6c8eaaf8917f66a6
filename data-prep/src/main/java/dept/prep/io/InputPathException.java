package dept.prep.io;

/**
 * An input path that is missing or incomplete, found while checking a stage's inputs before its
 * work starts; the message names the path (or the config key that gave it) and what produces it.
 */
public final class InputPathException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  public InputPathException(String message) {
    super(message);
  }
}
