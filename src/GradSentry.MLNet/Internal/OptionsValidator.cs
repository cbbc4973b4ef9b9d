using System.ComponentModel.DataAnnotations;
using System.Text;

namespace GradSentry.MLNet.Internal;

/// <summary>
/// Validates an options object by its data annotations (and <see cref="IValidatableObject"/>), collecting every error
/// into one <see cref="ValidationException"/> whose message lists them all, as Polly's options validation does.
/// </summary>
internal static class OptionsValidator
{
    public static void Validate(object options, string what)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<ValidationResult>();
        var context = new ValidationContext(options);
        if (Validator.TryValidateObject(options, context, errors, validateAllProperties: true)) return;
        // The validator skips the object-level rules once a property fails; run them too, so every problem is listed at once.
        if (options is IValidatableObject validatable) errors.AddRange(validatable.Validate(context));
        var message = new StringBuilder();
        message.Append("The '").Append(what).Append("' are invalid.").AppendLine().AppendLine();
        message.Append("Validation Errors:");
        foreach (var error in errors) message.AppendLine().Append(error.ErrorMessage);
        throw new ValidationException(message.ToString());
    }
}
