using System.Globalization;
using System.Text.Json;

namespace GradSentry.Tokenization;

/// <summary>A token added on top of a model vocabulary (Hugging Face <c>AddedToken</c>).</summary>
internal sealed record AddedToken(int Id, string Content, bool Special);

/// <summary>A special-token role (<c>bos_token</c>, ...) as one file names it; <see cref="Content"/> null means "explicitly none".</summary>
internal sealed record NamedToken(string? Content, string File);

/// <summary>
/// The tokenizer settings spread over <c>tokenizer_config.json</c>, <c>special_tokens_map.json</c>,
/// <c>added_tokens.json</c> and <c>config.json</c>. Every file is optional; malformed files are errors.
/// </summary>
internal sealed class TokenizerSettings
{
    public const string TokenizerConfigFile = "tokenizer_config.json";
    public const string SpecialTokensMapFile = "special_tokens_map.json";
    public const string AddedTokensFile = "added_tokens.json";
    public const string ModelConfigFile = "config.json";

    /// <summary>Roles read from the files, by their <c>tokenizer_config.json</c> key.</summary>
    public static readonly string[] Roles = ["bos_token", "eos_token", "pad_token", "unk_token"];

    readonly string _directory;
    Dictionary<string, int?>? _modelConfigIds;

    TokenizerSettings(string directory) => _directory = directory;

    /// <summary>Path of <c>tokenizer_config.json</c> (whether or not it exists).</summary>
    public string TokenizerConfigPath => Path.Combine(_directory, TokenizerConfigFile);

    /// <summary><c>tokenizer_class</c>, e.g. <c>LlamaTokenizerFast</c>.</summary>
    public string? TokenizerClass { get; private set; }

    /// <summary><c>add_bos_token</c> when given.</summary>
    public bool? AddBosToken { get; private set; }

    /// <summary><c>add_eos_token</c> when given.</summary>
    public bool? AddEosToken { get; private set; }

    /// <summary><c>add_prefix_space</c> when given (GPT-2 style tokenizers).</summary>
    public bool? AddPrefixSpace { get; private set; }

    /// <summary>Special-token roles: <c>tokenizer_config.json</c> first, then <c>special_tokens_map.json</c>.</summary>
    public Dictionary<string, NamedToken> Named { get; } = new(StringComparer.Ordinal);

    /// <summary><c>added_tokens_decoder</c> of <c>tokenizer_config.json</c> and <c>added_tokens.json</c> (for formats whose main file has no added tokens).</summary>
    public List<(AddedToken Token, string File)> AddedTokens { get; } = [];

    /// <summary>Reads the optional files of <paramref name="directory"/>.</summary>
    public static TokenizerSettings Read(string directory)
    {
        var settings = new TokenizerSettings(directory);
        var configPath = settings.TokenizerConfigPath;
        if (File.Exists(configPath))
        {
            using var document = HfJson.Parse(configPath);
            var root = document.RootElement;
            settings.TokenizerClass = HfJson.String(root, "tokenizer_class", configPath, "");
            settings.AddBosToken = HfJson.Bool(root, "add_bos_token", configPath, "");
            settings.AddEosToken = HfJson.Bool(root, "add_eos_token", configPath, "");
            settings.AddPrefixSpace = HfJson.Bool(root, "add_prefix_space", configPath, "");
            settings.ReadRoles(root, configPath);
            if (HfJson.Get(root, "added_tokens_decoder") is { } decoder)
            {
                if (decoder.ValueKind != JsonValueKind.Object)
                    throw new TokenizerLoadException(configPath, "'added_tokens_decoder' must be an object mapping ids to tokens.");
                foreach (var entry in decoder.EnumerateObject())
                {
                    if (!int.TryParse(entry.Name, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                        throw new TokenizerLoadException(configPath, $"'added_tokens_decoder' key '{entry.Name}' is not a token id.");
                    var content = TokenContent(entry.Value, configPath, $"added_tokens_decoder.{entry.Name}")
                                  ?? throw new TokenizerLoadException(configPath, $"'added_tokens_decoder.{entry.Name}' has no content.");
                    var special = entry.Value.ValueKind == JsonValueKind.Object && (HfJson.Bool(entry.Value, "special", configPath, $"added_tokens_decoder.{entry.Name}") ?? false);
                    settings.AddedTokens.Add((new AddedToken(id, content, special), configPath));
                }
            }
        }

        var mapPath = Path.Combine(directory, SpecialTokensMapFile);
        if (File.Exists(mapPath))
        {
            using var document = HfJson.Parse(mapPath);
            settings.ReadRoles(document.RootElement, mapPath);
        }

        var addedPath = Path.Combine(directory, AddedTokensFile);
        if (File.Exists(addedPath))
        {
            using var document = HfJson.Parse(addedPath);
            foreach (var entry in document.RootElement.EnumerateObject())
                settings.AddedTokens.Add((new AddedToken(HfJson.Id(entry.Value, addedPath, $"'{entry.Name}'"), entry.Name, Special: false), addedPath));
        }
        return settings;
    }

    /// <summary>
    /// <c>bos_token_id</c> / <c>eos_token_id</c> / <c>pad_token_id</c> of <c>config.json</c> (the first one when a
    /// list), read only when asked for; null when the file or the field is absent.
    /// </summary>
    public (int? Id, string File) ModelConfigId(string key)
    {
        var path = Path.Combine(_directory, ModelConfigFile);
        if (_modelConfigIds is null)
        {
            _modelConfigIds = new(StringComparer.Ordinal);
            if (File.Exists(path))
            {
                using var document = HfJson.Parse(path);
                foreach (var name in new[] { "bos_token_id", "eos_token_id", "pad_token_id" })
                {
                    var value = HfJson.Get(document.RootElement, name);
                    if (value is { ValueKind: JsonValueKind.Array } list)
                        value = list.GetArrayLength() > 0 ? list[0] : null;
                    // Some configs write -1 for "none" (e.g. pad_token_id): treat negative ids as absent.
                    _modelConfigIds[name] = value is { ValueKind: JsonValueKind.Number } n && n.TryGetInt64(out var raw) && raw < 0
                        ? null
                        : value is { } v ? HfJson.Id(v, path, $"'{name}'") : null;
                }
            }
        }
        return (_modelConfigIds.GetValueOrDefault(key), path);
    }

    void ReadRoles(JsonElement root, string path)
    {
        foreach (var role in Roles)
        {
            if (Named.ContainsKey(role) || !HfJson.Has(root, role)) continue;
            Named[role] = new NamedToken(TokenContent(root.GetProperty(role), path, role), path);
        }
    }

    /// <summary>A token given as a string or as an AddedToken object <c>{"content": ...}</c>; null for JSON null.</summary>
    static string? TokenContent(JsonElement value, string path, string context) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Object => HfJson.String(value, "content", path, context)
                                ?? throw new TokenizerLoadException(path, $"'{context}' is an object without a 'content' string."),
        _ => throw new TokenizerLoadException(path, $"'{context}' must be a string or an object with 'content', found {HfJson.Show(value)}."),
    };
}
